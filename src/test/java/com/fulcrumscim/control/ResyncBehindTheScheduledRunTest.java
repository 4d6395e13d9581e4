package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.resync.Progress;
import com.fulcrumscim.resync.Resync;
import com.fulcrumscim.resync.ResyncReport;
import com.fulcrumscim.testing.ReconcileHarness;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's resync that the daemon takes up while its scheduled resync runs: one runs at a
 * time, so it waits, and the command says what for instead of showing nothing for as long as the
 * nightly run takes. The daemon's side is the real one (request thread, actions, resync) on the
 * emulator; the scheduled run is held in its plan until the test lets it go on.
 */
class ResyncBehindTheScheduledRunTest {
  @TempDir Path dir;
  ReconcileHarness h;
  ReconcileWiring path;
  Resync resync;
  RequestExecutor daemon;
  final CountDownLatch scheduledRunPlanned = new CountDownLatch(1);
  final CountDownLatch scheduledRunGoesOn = new CountDownLatch(1);

  @BeforeEach
  void start() {
    h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults());
    path = h.newWiring(h.http);
    resync = new Resync(h.http, h.db, ReconcileHarness.Options.defaults().settings(), h.clock, h.clock::tick);
    assertThat(new WriterLease(h.db, DatabaseClock.of(h.db, Clock.systemUTC()), WriterLease.Role.DAEMON,
        Duration.ofMinutes(10)).tryHold()).isTrue();
    daemon = new RequestExecutor(new RequestStore(h.db, Clock.systemUTC()), OperatorActions.configured(
        ConfigLoader.fromSystemEnvironment().defaults(), h.db, Clock.systemUTC(), () -> {}),
        () -> new OperatorActions.Fulcrum(resync, path, "the emulator"));
    daemon.start();
  }

  @AfterEach
  void stop() {
    scheduledRunGoesOn.countDown();
    daemon.close();
    path.loop().close();
    h.close();
  }

  @Test
  void aResyncWaitingForTheScheduledOneSaysWhatItWaitsFor() throws Exception {
    CompletableFuture<ResyncReport> scheduled = CompletableFuture.supplyAsync(() -> resync.apply(path, heldInItsPlan(), 0));
    assertThat(scheduledRunPlanned.await(30, TimeUnit.SECONDS)).isTrue();
    StringWriter notices = new StringWriter();

    CompletableFuture<OperatorRequest.Answer> dryRun = CompletableFuture.supplyAsync(() -> {
      try {
        return new CommandChannel(h.db, Clock.systemUTC(), WriterLease.TTL, new PrintWriter(notices, true)).perform(
            OperatorRequest.Kind.RESYNC_DRY_RUN, null, false, false, Watch.NONE, (w, fence) -> {
              throw new AssertionError("not in-process: a daemon runs");
            });
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });

    await().atMost(Duration.ofSeconds(10)).until(() -> notices.toString().contains("waiting for the daemon"));
    assertThat(notices.toString()).startsWith("waiting for the daemon: it finishes the resync already running since ")
        .contains("(the scheduled one, or another command's) before it begins this");
    assertThat(dryRun).isNotDone();

    scheduledRunGoesOn.countDown();
    scheduled.get(30, TimeUnit.SECONDS);
    assertThat(dryRun.get(30, TimeUnit.SECONDS).exitCode()).isZero();
  }

  /** The scheduled run's progress: it stops in its plan until the test lets it go on. */
  private Progress heldInItsPlan() {
    return new Progress() {
      @Override
      public void planned(ResyncReport plan) {
        scheduledRunPlanned.countDown();
        try {
          scheduledRunGoesOn.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void update(String phase, int done, int total) {}

      @Override
      public void finish() {}
    };
  }
}
