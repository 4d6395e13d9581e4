package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.db.StoreLock;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.RestoreMarker;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acting command that does its work itself (no daemon) holds the SQLite file's lock while it
 * writes: a restore swapping the file between its carry-forward read and its rename kept what the
 * command wrote (approvals, a resync's links) only in the replaced file (review-new L2).
 */
class ActingCommandsHoldTheFileTest {
  @TempDir Path dir;
  final MockWebServer fulcrum = new MockWebServer();
  /** Counted down when the in-process resync first reaches Fulcrum: it holds the file by then. */
  final CountDownLatch resyncing = new CountDownLatch(1);
  /** Fulcrum answers nothing until this is counted down. */
  final CountDownLatch answer = new CountDownLatch(1);
  OpsCliRun cli;
  final ResourceKey bob = ResourceKey.user("u-bob");
  final ResourceKey ada = ResourceKey.user("u-ada");

  /** bob's row is DEAD, ada's removal is held by the mass-removal guard, a restore is recorded. */
  @BeforeEach
  void seed() throws Exception {
    fulcrum.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        resyncing.countDown();
        answer.await(60, TimeUnit.SECONDS);
        return new MockResponse(401, okhttp3.Headers.of("Content-Type", "application/json"), "{\"error\":\"unauthorized\"}");
      }
    });
    fulcrum.start();
    cli = new OpsCliRun(dir, fulcrumYaml());
    try (Database db = cli.openDatabase()) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      queue.enqueue(bob);
      queue.dead(queue.claim(1).get(0), "422 rejected: email has already been taken");
      db.write(c -> c.createStatement().executeUpdate("INSERT INTO work (entity_type, entity_id, state, generation, "
          + "attempts, next_attempt_at, created_at, updated_at, removal) VALUES ('USER', 'u-ada', 'HELD', 1, 0, 1, 1, 1, 1)"));
      new RestoreMarker(db).mark(Instant.parse("2026-12-01T00:00:00Z"));
    }
  }

  @AfterEach
  void stop() throws Exception {
    answer.countDown();
    fulcrum.close();
  }

  String fulcrumYaml() {
    return "fulcrum:\n  base_url: " + fulcrum.url("/") + "\n  api_token: tok-LOCK-test\n  calls_per_hour: 3600000\n"
        + "ha:\n  lease_ttl: 3s\n";
  }

  /** The lock as a restore takes it, for its whole run. */
  StoreLock restoreRuns() {
    return StoreLock.take(new StoreLocation.SqliteFile(cli.database), "restore");
  }

  @Test
  void journalRetryWithNoDaemonIsRefusedWhileARestoreRuns() {
    OpsCliRun.Result r;
    try (StoreLock restore = restoreRuns()) {
      r = cli.runWithConfig("journal", "retry", "user/u-bob");
    }

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith(cli.database + " is in use by restore (")
        .endsWith("): let it finish first; nothing was done").doesNotContain("\n");
    assertThat(stateOf(bob)).isEqualTo(WorkState.DEAD);
  }

  @Test
  void approveRemovalsWithNoDaemonIsRefusedWhileARestoreRuns() {
    OpsCliRun.Result r;
    try (StoreLock restore = restoreRuns()) {
      r = cli.runWithConfig("approve-removals");
    }

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith(cli.database + " is in use by restore (").endsWith("; nothing was done");
    assertThat(stateOf(ada)).isEqualTo(WorkState.HELD);
  }

  @Test
  void restoreReleaseWithNoDaemonIsRefusedWhileARestoreRuns() {
    OpsCliRun.Result r;
    try (StoreLock restore = restoreRuns()) {
      r = cli.runWithConfig("restore", "release", "--all");
    }

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith(cli.database + " is in use by restore (").endsWith("; nothing was done");
    try (Database db = cli.openDatabase()) {
      assertThat(new RestoreMarker(db).current()).as("the restore's holds stand").isPresent();
    }
  }

  @Test
  void theCommandRunsOnceTheRestoreHasLetTheFileGo() {
    restoreRuns().close();

    OpsCliRun.Result r = cli.runWithConfig("journal", "retry", "user/u-bob");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(stateOf(bob)).isEqualTo(WorkState.PENDING);
  }

  /** A serve that holds the file and never the lease (stuck in its start): the command waits a lease's life, then says so. */
  @Test
  void aServeHoldingTheFileWithoutTheLeaseIsWaitedForALeasesLifeThenNamed() {
    OpsCliRun.Result r;
    long started = System.nanoTime();
    try (StoreLock serve = StoreLock.take(new StoreLocation.SqliteFile(cli.database), "serve")) {
      r = cli.runWithConfig("journal", "retry", "user/u-bob");
    }

    assertThat(System.nanoTime() - started).as("waited for it to take the lease").isGreaterThanOrEqualTo(3_000_000_000L);
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.err().strip().lines()).containsExactly(
        "`fulcrum-scim serve` holds the database but not the writer lease (it is starting, stopping or hung): waiting up to 3 s "
            + "for it to take the lease",
        r.err().strip().lines().toList().get(1));
    assertThat(r.err().strip().lines().toList().get(1)).startsWith(cli.database + " is in use by serve (")
        .endsWith("): stop it first (systemctl stop fulcrum-scim); nothing was done");
    assertThat(stateOf(bob)).isEqualTo(WorkState.DEAD);
  }

  @Test
  void restoreIsRefusedWhileAnInProcessResyncRunsNamingIt() throws Exception {
    CompletableFuture<OpsCliRun.Result> resync = resyncInProcess();

    OpsCliRun.Result r = cli.runWithConfig("restore", Files.copy(cli.database, dir.resolve("nightly.db")).toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith(cli.database + " is in use by resync (")
        .endsWith("): let it finish first; nothing was changed");
    answer.countDown();
    resync.get(60, TimeUnit.SECONDS);
  }

  @Test
  void aServeStartedWhileAnInProcessResyncRunsExitsNamingIt() throws Exception {
    CompletableFuture<OpsCliRun.Result> resync = resyncInProcess();

    assertThatThrownBy(() -> ScimTestServer.start(dir, fulcrumYaml(), Clock.systemUTC(), Bridge.Mode.FULL).close())
        .isInstanceOf(StoreLock.InUseException.class)
        .hasMessageStartingWith(cli.database + " is in use by resync (").hasMessageEndingWith("): let it finish first");
    answer.countDown();
    resync.get(60, TimeUnit.SECONDS);
  }

  /** `resync` with no daemon, held in its first call to Fulcrum. */
  CompletableFuture<OpsCliRun.Result> resyncInProcess() throws InterruptedException {
    CompletableFuture<OpsCliRun.Result> resync = CompletableFuture.supplyAsync(() -> cli.runWithConfig("resync"));
    assertThat(resyncing.await(60, TimeUnit.SECONDS)).as("the resync reached Fulcrum").isTrue();
    assertThat(resync).isNotDone();
    return resync;
  }

  WorkState stateOf(ResourceKey key) {
    try (Database db = cli.openDatabase()) {
      return new WorkQueue(db, Clock.systemUTC()).get(key).orElseThrow().state();
    }
  }
}
