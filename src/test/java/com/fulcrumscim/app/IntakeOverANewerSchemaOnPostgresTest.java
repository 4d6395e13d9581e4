package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import com.fulcrumscim.testing.TestStore;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes of this release run on while a newer release migrates their database (review-s13e F1:
 * an older node's SCIM writes left the new schema's columns unset, and /readyz alone kept only
 * the balancer's probes away). Every SCIM write is refused 503 once a node has seen the newer
 * schema, and one made while the migration is under way waits for its commit and is refused too.
 * Reads go on.
 */
@RequiresPostgres
class IntakeOverANewerSchemaOnPostgresTest {
  final TestStore store = TestStore.freshPostgres();
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  FulcrumEmulator fulcrum;
  ScimTestServer a;
  ScimTestServer b;
  /** The newer release's handle on the same database: it migrates. */
  Database newer;
  int known;

  @BeforeEach
  void twoNodes() {
    fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0);
    String yaml = ScimTestServer.fulcrumAt(fulcrum.baseUrl(), fulcrum.token()) + "ha:\n  lease_ttl: 3s\n";
    a = ScimTestServer.start(store, yaml, Clock.systemUTC(), Bridge.Mode.FULL);
    b = ScimTestServer.start(store, yaml, Clock.systemUTC(), Bridge.Mode.FULL);
    newer = Database.open(store.location());
    known = newer.read(c -> count(c, "SELECT max(version) FROM schema_version"));
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    newer.close();
    fulcrum.close();
  }

  @Test
  void everyNodeRefusesScimWritesOnceANewerReleaseMigratedAndStillAnswersReads() {
    String ada = a.http().post("/Users", Bodies.user("ada@corp.example")).json().path("id").asText();

    newerReleaseMigrates(() -> {});

    for (ScimTestServer node : new ScimTestServer[] {a, b, a}) {
      ScimHttp.Response refused = node.http().post("/Users", Bodies.user("grace@corp.example"));
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.header("Retry-After")).isNotNull();
      assertThat(refused.text()).contains("schema version " + (known + 1)).contains("(" + known + ")")
          .contains("upgrade this node");
      assertThat(node.http().patch("/Users/" + ada, Bodies.patch("{\"op\":\"replace\",\"path\":\"active\",\"value\":false}"))
          .status()).isEqualTo(503);
      assertThat(node.http().get("/Users/" + ada).status()).isEqualTo(200);
    }
    assertThat(users()).isEqualTo(1);
    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
        .filteredOn(line -> line.startsWith("SCIM WRITES REFUSED")).as("one line a node").hasSize(2);
  }

  @Test
  void aScimWriteMadeWhileANewerReleaseMigratesWaitsForItsCommitAndIsRefused() throws Exception {
    CountDownLatch migrating = new CountDownLatch(1);
    CountDownLatch commit = new CountDownLatch(1);
    CompletableFuture<Void> migration = CompletableFuture.runAsync(() -> newerReleaseMigrates(() -> {
      migrating.countDown();
      commit.await();
    }));
    assertThat(migrating.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<ScimHttp.Response> write = CompletableFuture.supplyAsync(
        () -> b.http().post("/Users", Bodies.user("grace@corp.example")));
    Thread.sleep(1_000);
    assertThat(write).as("answered before the migration committed").isNotDone();
    commit.countDown();
    migration.get(10, TimeUnit.SECONDS);

    assertThat(write.get(10, TimeUnit.SECONDS).status()).isEqualTo(503);
    assertThat(users()).isZero();
  }

  /** What a newer release's migration does (Migrations): the version's table locked first, its version recorded last. */
  private void newerReleaseMigrates(Interruptible underWay) {
    newer.write(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("LOCK TABLE schema_version IN ACCESS EXCLUSIVE MODE");
        underWay.run();
        s.execute("DELETE FROM schema_version");
        s.execute("INSERT INTO schema_version (version) VALUES (" + (known + 1) + ")");
      }
      return null;
    });
  }

  @FunctionalInterface
  private interface Interruptible {
    void run() throws InterruptedException;
  }

  private long users() {
    return newer.read(c -> count(c, "SELECT count(*) FROM scim_user"));
  }

  private static int count(java.sql.Connection c, String query) throws java.sql.SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
