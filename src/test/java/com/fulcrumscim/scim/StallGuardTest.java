package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.GroupStore;
import com.fulcrumscim.journal.Intake;
import com.fulcrumscim.journal.JournalStore;
import com.fulcrumscim.journal.StallWatch;
import com.fulcrumscim.journal.Tombstones;
import com.fulcrumscim.journal.UserStore;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * review-s17ha F2: a SCIM change that waited across a stall of this node is refused at commit (503,
 * nothing stored), as the identity provider may have given up on it and sent a later change through
 * another node. The stall is a real pause of the watch's own thread (its test seam), the rest of the
 * endpoint as the daemon wires it on a real SQLite file; bounds shorter than the daemon's (a stall
 * of 1 s, a grace of 2 s) keep the test short.
 */
class StallGuardTest {
  static final Duration THRESHOLD = Duration.ofSeconds(1);
  static final Duration GRACE = Duration.ofSeconds(2);
  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  StallWatch watch;
  Database db;
  ScimServer server;
  ScimHttp http;

  void serve() {
    TestStore store = TestStore.sqlite(dir.resolve("bridge.db"));
    BridgeConfig config = ScimTestServer.withPort(new ConfigLoader(name -> null).parse("test", store.yaml()), 0);
    Clock clock = Clock.systemUTC();
    ObjectMapper json = ScimJson.newMapper();
    UserStore users = new UserStore(json);
    GroupStore groups = new GroupStore(json);
    db = Database.open(store.location());
    watch = StallWatch.started(THRESHOLD, GRACE);
    Intake intake = new Intake(db, new WorkQueue(db, clock), users, groups, new JournalStore(), new Tombstones(), clock,
        watch, () -> {});
    server = new ScimServer(ScimServer.Settings.of(config), new BearerAuth(List.of(BearerTokens.sha256Hex(ScimTestServer.TOKEN))),
        db, intake, users, groups, new ResourceNormalizer(), json, clock).start();
    http = new ScimHttp(server.baseUrl(), "Bearer " + ScimTestServer.TOKEN);
  }

  @AfterEach
  void stop() {
    server.stop();
    watch.close();
    db.close();
  }

  @Test
  void aChangeCommittedWhileTheWatchHasNotTickedForLongerThanTheThresholdIsRefusedAndReadsAreServed() throws Exception {
    serve();
    String id = http.post("/Users", user("ada@example.com", "Ada", "Lovelace", false)).json().path("id").asText();
    watch.pauseTicker(Duration.ofSeconds(4));
    Thread.sleep(THRESHOLD.toMillis() + 500); // the stall under way, not yet seen by the watch

    assertRefused(http.put("/Users/" + id, user("ada@example.com", "Ada", "Stale", true)));
    Response read = http.get("/Users/" + id);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.json().path("active").asBoolean()).isFalse();
    assertThat(read.json().path("name").path("familyName").asText()).isEqualTo("Lovelace");
  }

  @Test
  void aChangeThatArrivedWithinTheGraceAfterAStallIsRefusedAndOneAfterTheGraceIsStored() throws Exception {
    serve();
    String id = http.post("/Users", user("ada@example.com", "Ada", "Lovelace", false)).json().path("id").asText();
    watch.pauseTicker(Duration.ofMillis(1500));
    Thread.sleep(1500 + 500); // the stall ended and seen (a tick every 100 ms), the grace of 2 s still running

    assertRefused(http.put("/Users/" + id, user("ada@example.com", "Ada", "Stale", true)));
    assertThat(http.get("/Users/" + id).json().path("active").asBoolean()).isFalse();

    Thread.sleep(GRACE.toMillis() + 200);
    Response after = http.put("/Users/" + id, user("ada@example.com", "Ada", "Fresh", true));
    assertThat(after.status()).as(after.text()).isEqualTo(200);
    assertThat(http.get("/Users/" + id).json().path("name").path("familyName").asText()).isEqualTo("Fresh");
  }

  /**
   * review-s17d F4: a deactivation so refused is not stored, and Okta does not send it again: the line
   * says the person keeps their access; and Retry-After outlasts the grace, else the client honouring
   * it is refused again by this node.
   */
  @Test
  void aDeactivationRefusedAfterAStallSaysThePersonKeepsTheirAccessAndRetryAfterOutlastsTheGrace() throws Exception {
    serve();
    String id = http.post("/Users", user("ada@example.com", "Ada", "Lovelace", true)).json().path("id").asText();
    watch.pauseTicker(Duration.ofMillis(1500));
    Thread.sleep(1500 + 500); // the stall ended and seen, the grace still running

    Response refused = http.patch("/Users/" + id, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
        + "\"Operations\":[{\"op\":\"replace\",\"value\":{\"active\":false}}]}");
    assertRefused(refused);
    assertThat(Long.parseLong(refused.header("Retry-After"))).isGreaterThan(StallWatch.GRACE.toSeconds());
    assertThat(http.get("/Users/" + id).json().path("active").asBoolean()).isTrue();
    assertThat(logs.events()).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("deactivates user " + id, "keeps their access", "answered 503");
    });
  }

  /** A request still under way when the SCIM server's stop ran out of time gets no answer: it must store nothing. */
  @Test
  void aChangeCommittedAfterTheWatchClosedIsRefused() {
    serve();
    String id = http.post("/Users", user("ada@example.com", "Ada", "Lovelace", false)).json().path("id").asText();
    watch.close();

    assertRefused(http.put("/Users/" + id, user("ada@example.com", "Ada", "Late", true)));
    assertThat(http.get("/Users/" + id).json().path("name").path("familyName").asText()).isEqualTo("Lovelace");
  }

  private static void assertRefused(Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(503);
    assertThat(r.header("Retry-After")).isNotNull();
    assertThat(r.json().path("schemas").get(0).asText()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
    assertThat(r.json().path("detail").asText()).contains("stood still");
  }
}
