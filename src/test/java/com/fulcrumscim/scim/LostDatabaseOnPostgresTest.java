package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.BlackholeProxy;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.PostgresServer;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The PostgreSQL server goes away under a running receiver (a restart, a failover, the network):
 * nothing Okta sent is wrong and the same request succeeds once the server is back, so every
 * request is a 503 with Retry-After and a SCIM error body, not a 500, and the log says why.
 */
@RequiresPostgres
class LostDatabaseOnPostgresTest {
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  BlackholeProxy server;
  ScimTestServer bridge;
  ScimHttp http;
  String existing;

  @BeforeEach
  void serveThroughAProxyThenLoseTheServer() {
    PostgresServer.Database pg = PostgresServer.shared().migratedDatabase();
    server = BlackholeProxy.toServerOf(pg.jdbcUrl());
    TestStore store = new TestStore(new StoreLocation.Postgres(server.in(pg.jdbcUrl()), pg.username(), pg.password()));
    bridge = ScimTestServer.start(store, "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    http = bridge.http();
    existing = http.post("/Users", user("before-the-loss@example.com")).json().path("id").asText();
    server.close(); // connections reset, new ones refused: the server's host is gone
  }

  @AfterEach
  void stop() {
    bridge.close();
  }

  @Test
  void aReadOnAConnectionTheServerDroppedIs503() {
    assertUnavailable(http.get("/Users/" + existing));
  }

  @Test
  void aWriteWhenNoConnectionCanBeMadeIs503() {
    http.get("/Users/" + existing); // drops the pooled connection the server reset
    assertUnavailable(http.post("/Users", user("after-the-loss@example.com")));
  }

  @Test
  void theLogSaysWhyTheRequestWasRefused() {
    http.post("/Users", user("after-the-loss@example.com"));
    assertThat(logs.events()).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("POST", "answered 503").containsAnyOf("lost the connection", "cannot connect");
    });
  }

  private static void assertUnavailable(Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(503);
    assertThat(r.header("Retry-After")).isNotBlank();
    assertThat(r.json().path("schemas").get(0).asText()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
  }
}
