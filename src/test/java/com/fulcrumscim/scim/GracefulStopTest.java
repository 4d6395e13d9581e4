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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * review-s17ha F3: a stop answers the SCIM requests under way before it closes the port, and refuses
 * (503, nothing stored) the changes that begin after it, while it still answers reads (review-s17d
 * F3), and a user's change so refused is logged as one that may leave a person their access. The request under way is a real POST on a real
 * socket whose body the test holds back until the stop has begun, on the endpoint as the daemon
 * wires it and a real SQLite file.
 */
class GracefulStopTest {
  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  Database db;
  ScimServer server;
  ScimHttp http;
  final CountDownLatch underWay = new CountDownLatch(1);

  void serve() {
    TestStore store = TestStore.sqlite(dir.resolve("bridge.db"));
    BridgeConfig config = ScimTestServer.withPort(new ConfigLoader(name -> null).parse("test", store.yaml()), 0);
    Clock clock = Clock.systemUTC();
    ObjectMapper json = ScimJson.newMapper();
    UserStore users = new UserStore(json);
    GroupStore groups = new GroupStore(json);
    db = Database.open(store.location());
    Intake intake = new Intake(db, new WorkQueue(db, clock), users, groups, new JournalStore(), new Tombstones(), clock,
        StallWatch.none(), () -> {});
    server = new ScimServer(ScimServer.Settings.of(config), new BearerAuth(List.of(BearerTokens.sha256Hex(ScimTestServer.TOKEN))),
        db, intake, users, groups, new ResourceNormalizer(), json, clock).start(cfg -> {},
        // after the endpoint's own before-handlers: the request has passed the refusal, its handler is next
        cfg -> cfg.routes.before(ScimServer.BASE_PATH + "/Users", ctx -> {
          if (ctx.header("X-Held") != null) { // the held request only: set-up's own POST passes here first
            underWay.countDown();
          }
        }));
    http = new ScimHttp(server.baseUrl(), "Bearer " + ScimTestServer.TOKEN);
  }

  @AfterEach
  void close() {
    server.stop();
    db.close();
  }

  @Test
  void aRequestUnderWayWhenTheStopBeginsIsAnsweredAndStoredANewChangeIsRefusedWithNothingStoredAndReadsAreAnswered()
      throws Exception {
    serve();
    String ada = http.post("/Users", user("ada@example.com", "Ada", "Lovelace", true)).json().path("id").asText();
    byte[] body = user("under-way@example.com").getBytes(StandardCharsets.UTF_8);
    int half = body.length / 2;
    int port = server.port();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + ScimServer.BASE_PATH + "/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
          + ScimTestServer.TOKEN + "\r\nX-Held: 1\r\nContent-Type: application/scim+json\r\nContent-Length: " + body.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, half);
      out.flush();
      assertThat(underWay.await(10, TimeUnit.SECONDS)).isTrue(); // its handler waits for the rest of the body

      server.refuseNewRequests();
      Response refused = http.post("/Users", user("after-the-stop-began@example.com"));
      assertThat(refused.status()).as(refused.text()).isEqualTo(503);
      assertThat(refused.header("Retry-After")).isNotNull();
      Response read = http.get("/Users/" + ada);
      assertThat(read.status()).as(read.text()).isEqualTo(200);
      assertThat(http.get("/Users?filter=" + ScimHttp.q("userName eq \"ada@example.com\"")).json().path("totalResults")
          .asInt()).isEqualTo(1);
      Response deactivation = http.patch("/Users/" + ada, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
          + "PatchOp\"],\"Operations\":[{\"op\":\"replace\",\"value\":{\"active\":false}}]}");
      assertThat(deactivation.status()).as(deactivation.text()).isEqualTo(503);
      assertThat(http.get("/Users/" + ada).json().path("active").asBoolean()).isTrue();
      assertThat(logs.events()).anySatisfy(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.WARN);
        assertThat(e.getFormattedMessage()).contains("PATCH of user " + ada, "refused 503", "keeps their access");
      });
      Thread stopping = new Thread(() -> server.stop(Duration.ofSeconds(5)));
      stopping.start();
      awaitPortClosed(port); // the stop under way: it takes no connections, the request under way still open

      out.write(body, half, body.length - half);
      out.flush();
      String answer = new String(readAll(socket.getInputStream()), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 201");
      stopping.join(10_000);
      assertThat(stopping.isAlive()).isFalse();
    }
    assertThat(usersNamed("under-way@example.com")).isEqualTo(1);
    assertThat(usersNamed("after-the-stop-began@example.com")).isZero();
  }

  private static void awaitPortClosed(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket probe = new Socket("127.0.0.1", port)) {
        Thread.sleep(20);
      } catch (IOException refused) {
        return;
      }
    }
    throw new AssertionError("the port still takes connections 10 s after the stop began");
  }

  private static byte[] readAll(InputStream in) throws Exception {
    return in.readAllBytes();
  }

  private int usersNamed(String userName) {
    return db.read(c -> {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM scim_user WHERE user_name = '" + userName + "'")) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }
}
