package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node of an older release left running as a standby while a newer one migrated the schema
 * (review-ha F3): when the lease comes free it refuses to lead over a schema it does not know,
 * says so at ERROR with both versions and what to do, and answers {@code /readyz} 503 so intake
 * goes to the nodes that know the schema. Before, it took over and reconciled by the old rules.
 */
class NewerSchemaStandbyTest {
  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  FulcrumEmulator fulcrum;
  ScimTestServer olderNode;
  /** The newer node's handle on the same store: it holds the lease, then migrates. */
  Database newerNode;

  /** The store under test; the ...OnPostgresTest subclass gives a PostgreSQL one. */
  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @BeforeEach
  void start() {
    fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).callsPerHour(3_600_000).build().start();
    TestStore store = store();
    newerNode = Database.open(store.location());
    long now = System.currentTimeMillis();
    newerNode.write(c -> c.createStatement().executeUpdate("INSERT INTO writer_lease (name, holder, role, acquired_at, "
        + "expires_at) VALUES ('fulcrum', 'the newer node', 'DAEMON', " + now + ", " + (now + 60_000) + ")"));
    olderNode = ScimTestServer.start(store, "fulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token()
        + "\n  calls_per_hour: 3600000\nreconcile:\n  interval: 1s\nha:\n  lease_ttl: 3s\n", Clock.systemUTC(), Bridge.Mode.FULL);
  }

  @AfterEach
  void stop() {
    olderNode.close();
    newerNode.close();
    fulcrum.close();
  }

  @Test
  void anOlderStandbyNeverLeadsOverASchemaANewerNodeMigratedAndSaysWhy() throws Exception {
    ScimHttp ops = new ScimHttp(olderNode.rootUrl(), "");
    assertThat(ops.get("/readyz").status()).isEqualTo(200);
    int known = schemaVersion();

    newerNodeMigratesTo(known + 1);
    newerNodeStops();

    leadsNotUntilRefused(2, known + 1); // the first try, and the next one a lease life later
    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
        .anySatisfy(line -> assertThat(line).contains("schema version " + (known + 1))
            .contains("(" + known + ")").contains("upgrade this node"));
  }

  @Test
  void anOlderLeaderStepsDownAtItsNextRenewalOnceANewerNodeMigratedAndGivesTheLeaseUp() throws Exception {
    ScimHttp ops = new ScimHttp(olderNode.rootUrl(), "");
    newerNodeStops();
    olderNodeLeadsWithin(5_000);
    int known = schemaVersion();

    newerNodeMigratesTo(known + 1);

    olderNodeStopsLeadingWithin(3_000); // a renewal (every second) and its look
    assertThat(liveLeaseHolder()).as("the lease is given up, for a node that knows the schema").isEmpty();
    assertThat(ops.get("/readyz").status()).isEqualTo(503);
    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
        .anySatisfy(line -> assertThat(line).contains("STOPS WRITING TO FULCRUM").contains("schema version " + (known + 1))
            .contains("(" + known + ")").contains("upgrade this node"));
  }

  @Test
  void anOlderNodeIsNotReadyOnceANewerNodeMigratedSoIntakeGoesToTheNodesThatKnowTheSchema() {
    ScimHttp ops = new ScimHttp(olderNode.rootUrl(), "");
    assertThat(ops.get("/readyz").status()).isEqualTo(200);

    newerNodeMigratesTo(schemaVersion() + 1);

    ScimHttp.Response ready = ops.get("/readyz");
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.text()).contains("newer than this fulcrum-scim knows").contains("upgrade this node");
  }

  void olderNodeLeadsWithin(long millis) throws InterruptedException {
    ScimHttp ops = new ScimHttp(olderNode.rootUrl(), "");
    long until = System.nanoTime() + millis * 1_000_000;
    while (!ops.get("/healthz").json().path("leader").asBoolean()) {
      assertThat(System.nanoTime()).as("the older node leads in time").isLessThan(until);
      Thread.sleep(100);
    }
  }

  /** It stops within {@code millis} and does not lead again at its next try, a lease life after. */
  void olderNodeStopsLeadingWithin(long millis) throws InterruptedException {
    ScimHttp ops = new ScimHttp(olderNode.rootUrl(), "");
    long until = System.nanoTime() + millis * 1_000_000;
    while (ops.get("/healthz").json().path("leader").asBoolean()) {
      assertThat(System.nanoTime()).as("the older node stops leading in time").isLessThan(until);
      Thread.sleep(100);
    }
    leadsNotUntilRefused(1, schemaVersion());
  }

  /**
   * The older node does not lead until it has refused {@code times} take-overs over schema {@code
   * version} (one a lease life, 3 s): watched for as long as that takes, not for a fixed time.
   */
  private void leadsNotUntilRefused(int times, int version) throws InterruptedException {
    ScimHttp ops = new ScimHttp(olderNode.rootUrl(), "");
    long until = System.nanoTime() + 15_000_000_000L; // five lease lives
    while (refusedTakeOvers(version) < times) {
      assertThat(ops.get("/healthz").json().path("leader").asBoolean()).as("leads").isFalse();
      assertThat(System.nanoTime()).as("refused " + times + " take-overs in time").isLessThan(until);
      Thread.sleep(200);
    }
    assertThat(ops.get("/healthz").json().path("leader").asBoolean()).as("leads").isFalse();
  }

  private long refusedTakeOvers(int version) {
    return logs.events().stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
        .filter(line -> line.contains("could not take over as the writer") && line.contains("schema version " + version))
        .count();
  }

  /** Who holds an unexpired writer lease, if anyone. */
  Optional<String> liveLeaseHolder() {
    return newerNode.read(c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT holder FROM writer_lease WHERE expires_at > " + System.currentTimeMillis())) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    });
  }

  int schemaVersion() {
    String query = newerNode.dialect() == Dialect.SQLITE ? "PRAGMA user_version" : "SELECT max(version) FROM schema_version";
    return newerNode.read(c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  void newerNodeMigratesTo(int version) {
    newerNode.write(c -> c.createStatement().executeUpdate(newerNode.dialect() == Dialect.SQLITE
        ? "PRAGMA user_version = " + version : "INSERT INTO schema_version (version) VALUES (" + version + ")"));
  }

  /** Its lease ends now: the older node may take it at its next try. */
  void newerNodeStops() {
    newerNode.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET expires_at = "
        + System.currentTimeMillis() + " WHERE holder = 'the newer node'"));
  }
}
