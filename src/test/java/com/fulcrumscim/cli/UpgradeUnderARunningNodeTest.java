package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.OlderRelease;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrading while a process of the older release still writes to the store: the new release's
 * {@code serve} and {@code db migrate} leave the schema alone and say who to stop (README: Upgrade,
 * High availability). On SQLite that process is an operator command working in-process.
 */
class UpgradeUnderARunningNodeTest {
  static final String OTHER_HOLDER = "4242@node-b/1a2b3c4d";

  @TempDir Path dir;
  TestStore store;
  Path config;
  int older;

  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  /** Who, of the older release, keeps renewing the lease. */
  String otherRole() {
    return "COMMAND";
  }

  @BeforeEach
  void setUp() throws Exception {
    store = store();
    config = Files.writeString(dir.resolve("config.yml"), "server:\n  port: " + BridgeProcess.freePort() + "\n" + store.yaml());
    older = OlderRelease.newest() - 1;
  }

  @Test
  void serveRefusesToMigrateWhileAnotherProcessHoldsTheWriterLease() throws Exception {
    OlderRelease.schema(store.location(), older);
    OlderRelease.holdsTheLease(store.location(), OTHER_HOLDER, otherRole(), Instant.now().plus(Duration.ofMinutes(10)));

    BridgeProcess.CommandRun serve = BridgeProcess.command(config, "serve");

    assertThat(serve.exit()).as(serve.err()).isEqualTo(2);
    assertThat(serve.err().strip()).startsWith("cannot start: cannot migrate the schema from version " + older)
        .contains(OTHER_HOLDER, "stop every node").doesNotContain("\n");
    assertThat(OlderRelease.version(store.location())).isEqualTo(older);
  }

  @Test
  void dbMigrateRefusesWhileAnotherProcessHoldsTheWriterLease() throws Exception {
    OlderRelease.schema(store.location(), older);
    OlderRelease.holdsTheLease(store.location(), OTHER_HOLDER, otherRole(), Instant.now().plus(Duration.ofMinutes(10)));

    BridgeProcess.CommandRun migrate = BridgeProcess.command(config, "db", "migrate");

    assertThat(migrate.exit()).as(migrate.err()).isEqualTo(2);
    assertThat(migrate.err().strip()).startsWith("cannot migrate the schema from version " + older + " to " + (older + 1))
        .contains(OTHER_HOLDER, "stop every node", "db migrate").doesNotContain("\n");
    assertThat(OlderRelease.version(store.location())).isEqualTo(older);
  }

  @Test
  void serveMigratesAsBeforeOnceTheOtherProcessesLeaseHasExpired() throws Exception {
    OlderRelease.schema(store.location(), older);
    OlderRelease.holdsTheLease(store.location(), OTHER_HOLDER, otherRole(), Instant.now().minusSeconds(30));

    ScimTestServer.start(store, "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY).close();

    assertThat(OlderRelease.version(store.location())).isEqualTo(OlderRelease.newest());
  }

  @Test
  void dbMigrateMigratesAsBeforeOnceTheOtherProcessesLeaseHasExpired() throws Exception {
    OlderRelease.schema(store.location(), older);
    OlderRelease.holdsTheLease(store.location(), OTHER_HOLDER, otherRole(), Instant.now().minusSeconds(30));

    BridgeProcess.CommandRun migrate = BridgeProcess.command(config, "db", "migrate");

    assertThat(migrate.exit()).as(migrate.err()).isZero();
    assertThat(migrate.out()).contains(older + " -> " + OlderRelease.newest() + " (migrated)");
  }

  @Test
  void aCurrentSchemaStartsAsBeforeBesideAnotherProcessesLiveLease() throws Exception {
    Database.open(store.location()).close();
    OlderRelease.holdsTheLease(store.location(), OTHER_HOLDER, otherRole(), Instant.now().plus(Duration.ofMinutes(10)));

    ScimTestServer.start(store, "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY).close();
    BridgeProcess.CommandRun migrate = BridgeProcess.command(config, "db", "migrate");

    assertThat(migrate.exit()).as(migrate.err()).isZero();
    assertThat(migrate.out()).contains("already current");
  }
}
