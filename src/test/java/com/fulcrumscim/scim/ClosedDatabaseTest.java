package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

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
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SCIM request that meets the store closed (the daemon stopping, a request still in flight): nothing
 * the client sent is wrong and the same request may succeed on the next start or another node, so it is
 * a 503 with Retry-After and a SCIM error body, never a 500.
 */
class ClosedDatabaseTest {
  @TempDir Path dir;
  Database db;
  ScimServer server;
  ScimHttp http;
  String existing;

  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  /** The endpoint as the daemon wires it, on a store this test closes under it. */
  @BeforeEach
  void serveThenCloseTheStore() {
    TestStore store = store();
    BridgeConfig config = ScimTestServer.withPort(new ConfigLoader(name -> null).parse("test", store.yaml()), 0);
    Clock clock = Clock.systemUTC();
    ObjectMapper json = ScimJson.newMapper();
    UserStore users = new UserStore(json);
    GroupStore groups = new GroupStore(json);
    db = Database.open(store.location());
    Intake intake = new Intake(db, new WorkQueue(db, clock), users, groups, new JournalStore(), new Tombstones(), clock,
        StallWatch.none(), () -> {});
    server = new ScimServer(ScimServer.Settings.of(config), new BearerAuth(List.of(BearerTokens.sha256Hex(ScimTestServer.TOKEN))),
        db, intake, users, groups, new ResourceNormalizer(), json, clock).start();
    http = new ScimHttp(server.baseUrl(), "Bearer " + ScimTestServer.TOKEN);
    existing = http.post("/Users", user("before-the-close@example.com")).json().path("id").asText();
    db.close();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  @Test
  void aReadAfterTheStoreClosedIs503WithRetryAfterAndAScimErrorBody() {
    assertUnavailable(http.get("/Users/" + existing));
  }

  @Test
  void aListAfterTheStoreClosedIs503WithRetryAfterAndAScimErrorBody() {
    assertUnavailable(http.get("/Users?filter=" + ScimHttp.q("userName eq \"before-the-close@example.com\"")));
  }

  @Test
  void aWriteAfterTheStoreClosedIs503WithRetryAfterAndAScimErrorBody() {
    assertUnavailable(http.post("/Users", user("after-the-close@example.com")));
  }

  private static void assertUnavailable(Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(503);
    assertThat(r.header("Retry-After")).isNotBlank();
    assertThat(r.json().path("schemas").get(0).asText()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
    assertThat(r.json().path("status").asText()).isEqualTo("503");
  }
}
