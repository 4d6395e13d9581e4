package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
  /** The shortest ha.lease_ttl: a renewal every second. */
  static final Duration LEASE_TTL = Duration.ofSeconds(3);
  /**
   * Longer than a child JVM takes to reach its migration on a loaded machine, so it finds the lease
   * still live; the test then lets the lease run out (a fixed few seconds failed when starting the
   * child alone took longer, and cost those seconds on every run).
   */
  static final Duration LEFT_OF_A_DEAD_HOLDERS_LEASE = Duration.ofSeconds(90);

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
  void serveRefusesToMigrateWhileAnotherProcessKeepsRenewingTheWriterLease() throws Exception {
    OlderRelease.schema(store.location(), older);

    BridgeProcess.CommandRun serve;
    try (AutoCloseable running = OlderRelease.keepsTheLease(store.location(), OTHER_HOLDER, otherRole(), LEASE_TTL)) {
      serve = BridgeProcess.command(config, "serve");
    }

    assertThat(serve.exit()).as(serve.err()).isEqualTo(2);
    assertThat(lastLine(serve.err())).startsWith("cannot start: cannot migrate the schema from version " + older)
        .contains(OTHER_HOLDER, "stop every node");
    assertThat(OlderRelease.version(store.location())).isEqualTo(older);
  }

  @Test
  void dbMigrateRefusesWhileAnotherProcessKeepsRenewingTheWriterLease() throws Exception {
    OlderRelease.schema(store.location(), older);

    OpsCliRun.Result migrate;
    try (AutoCloseable running = OlderRelease.keepsTheLease(store.location(), OTHER_HOLDER, otherRole(), LEASE_TTL)) {
      migrate = dbMigrate();
    }

    assertThat(migrate.exit()).as(migrate.err()).isEqualTo(2);
    assertThat(lastLine(migrate.err())).startsWith("cannot migrate the schema from version " + older + " to " + (older + 1))
        .contains(OTHER_HOLDER, "stop every node", "db migrate");
    assertThat(OlderRelease.version(store.location())).isEqualTo(older);
  }

  /** The old release's process was killed (or its host rebooted) and the new release starts at once: its lease is still live. */
  @Test
  void serveWaitsForTheLeaseOfAProcessThatIsGoneToExpireThenMigrates() throws Exception {
    OlderRelease.schema(store.location(), older);
    Instant expiry = Instant.now().plus(LEFT_OF_A_DEAD_HOLDERS_LEASE);
    OlderRelease.holdsTheLease(store.location(), OTHER_HOLDER, otherRole(), expiry);

    try (BridgeProcess serve = BridgeProcess.serve(config, Map.of())) {
      waitsForTheLeaseThenItRunsOut(serve, "expires at " + expiry.truncatedTo(ChronoUnit.MILLIS) + ") before migrating");
      serve.endpoint();
    }
    assertThat(OlderRelease.version(store.location())).isEqualTo(OlderRelease.newest());
  }

  @Test
  void dbMigrateWaitsForTheLeaseOfAProcessThatIsGoneToExpireThenMigrates() throws Exception {
    OlderRelease.schema(store.location(), older);
    OlderRelease.holdsTheLease(store.location(), OTHER_HOLDER, otherRole(), Instant.now().plus(LEFT_OF_A_DEAD_HOLDERS_LEASE));

    BridgeProcess migrate = BridgeProcess.command(Map.of(), "db", "migrate", "--config", config.toString());
    waitsForTheLeaseThenItRunsOut(migrate, ") before migrating");

    assertThat(migrate.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    migrate.terminate(); // collects the last lines
    assertThat(migrate.process().exitValue()).as(String.join("\n", migrate.output())).isZero();
    assertThat(migrate.output()).anySatisfy(line -> assertThat(line).contains(older + " -> " + OlderRelease.newest() + " (migrated)"));
  }

  /**
   * {@code child} says it waits for the dead holder's lease, and has migrated nothing while it does;
   * then the time the lease had left passes (its expiry moved to the past: what the child sees when
   * it looks again).
   */
  private void waitsForTheLeaseThenItRunsOut(BridgeProcess child, String endOfTheLine) throws Exception {
    await().atMost(Duration.ofSeconds(60)).until(() -> child.output().stream()
        .anyMatch(line -> line.contains("waiting up to") && line.contains("for the writer lease of " + OTHER_HOLDER)));
    assertThat(child.output()).anySatisfy(line -> assertThat(line).contains("waiting up to",
        "for the writer lease of " + OTHER_HOLDER, endOfTheLine));
    assertThat(OlderRelease.version(store.location())).as("migrated while the lease was live").isEqualTo(older);
    OlderRelease.leaseRunsOut(store.location(), OTHER_HOLDER);
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

    OpsCliRun.Result migrate = dbMigrate();

    assertThat(migrate.exit()).as(migrate.err()).isZero();
    assertThat(migrate.out()).contains(older + " -> " + OlderRelease.newest() + " (migrated)");
  }

  @Test
  void aCurrentSchemaStartsAsBeforeBesideAnotherProcessesLiveLease() throws Exception {
    Database.open(store.location()).close();
    OlderRelease.holdsTheLease(store.location(), OTHER_HOLDER, otherRole(), Instant.now().plus(Duration.ofMinutes(10)));

    ScimTestServer.start(store, "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY).close();
    OpsCliRun.Result migrate = dbMigrate();

    assertThat(migrate.exit()).as(migrate.err()).isZero();
    assertThat(migrate.out()).contains("already current");
  }

  /**
   * {@code db migrate} run by the command line's Main in this JVM, sparing a JVM start: it meets the
   * other process only in the store (its lease row), as a process of its own would. The command
   * waiting out a lease stays a process of its own (dbMigrateWaits...), as do the serves.
   */
  private OpsCliRun.Result dbMigrate() throws Exception {
    return new OpsCliRun(Files.createDirectories(dir.resolve("cli"))).run("db", "migrate", "--config", config.toString());
  }

  private static String lastLine(String text) {
    return text.strip().lines().reduce((a, b) -> b).orElse("");
  }
}
