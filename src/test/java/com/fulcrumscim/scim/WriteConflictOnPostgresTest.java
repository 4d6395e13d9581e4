package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A change that loses to other writes of the same rows at every attempt (PostgreSQL breaks a
 * deadlock each time the database runs it again) was rolled back whole, and the same request may
 * succeed when sent again: it is a 503 with Retry-After and a SCIM error body, not a 500, and one
 * WARN line says why. Here the database itself refuses every journal row as a deadlock victim.
 */
@RequiresPostgres
class WriteConflictOnPostgresTest {
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  TestStore store;
  ScimTestServer server;
  ScimHttp http;
  String id;

  @BeforeEach
  void everyWriteLosesToADeadlock() throws SQLException {
    store = TestStore.freshPostgres();
    server = ScimTestServer.start(store, "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    http = server.http();
    id = http.post("/Users", user("ada@corp.example")).json().path("id").asText();
    StoreLocation.Postgres pg = (StoreLocation.Postgres) store.location();
    try (Connection c = DriverManager.getConnection(pg.url(), pg.username(), pg.password());
        Statement s = c.createStatement()) {
      s.execute("CREATE FUNCTION lose() RETURNS trigger LANGUAGE plpgsql AS "
          + "$$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected'; END $$");
      s.execute("CREATE TRIGGER lose BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION lose()");
    }
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aChangeThatLosesEveryAttemptIs503WithRetryAfter() {
    Response r = deactivate();

    assertThat(r.status()).as(r.text()).isEqualTo(503);
    assertThat(r.header("Retry-After")).isNotBlank();
    assertThat(r.json().path("schemas").get(0).asText()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
    assertThat(r.json().path("detail").asText()).contains("send it again");
  }

  @Test
  void nothingOfItIsStored() {
    deactivate();

    Response stored = http.get("/Users/" + id);
    assertThat(stored.json().path("active").asBoolean()).isTrue();
    assertThat(stored.header("ETag")).isEqualTo("W/\"1\"");
  }

  @Test
  void theLogSaysItInOneWarnLineAndNoError() {
    deactivate();

    assertThat(logs.events()).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .singleElement()
        .satisfies(e -> assertThat(e.getLevel()).isEqualTo(Level.WARN))
        .extracting(ILoggingEvent::getFormattedMessage).asString().contains("PATCH", "answered 503", "deadlock");
  }

  /**
   * PostgreSQL tells a deadlock's loser only after deadlock_timeout (1 s), and an attempt may wait
   * longer for row locks before it loses: five attempts of 2.5 s each held the request 13 s. No
   * attempt starts more than 5 s after the first, so the 503 comes after the second.
   */
  @Test
  void aChangeWhoseAttemptsLoseSlowlyIs503SoonAfterTheRetryWindow() throws SQLException {
    loseAfter("2.5");

    long start = System.nanoTime();
    Response r = deactivate();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(r.status()).as(r.text()).isEqualTo(503);
    assertThat(r.header("Retry-After")).isNotBlank();
    assertThat(took).isLessThan(Duration.ofSeconds(5 + 2 + 2)); // the window, less than one attempt more, slack
  }

  /** Every journal row is refused as a deadlock victim after {@code seconds}, as a loser waits for its locks first. */
  private void loseAfter(String seconds) throws SQLException {
    StoreLocation.Postgres pg = (StoreLocation.Postgres) store.location();
    try (Connection c = DriverManager.getConnection(pg.url(), pg.username(), pg.password());
        Statement s = c.createStatement()) {
      s.execute("CREATE OR REPLACE FUNCTION lose() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep("
          + seconds + "); RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected'; END $$");
    }
  }

  private Response deactivate() {
    return http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"active\":false}}"));
  }
}
