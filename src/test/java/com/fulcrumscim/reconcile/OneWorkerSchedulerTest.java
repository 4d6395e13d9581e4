package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The one worker thread Quartz runs the reconcile cycle and the scheduled resync on. */
class OneWorkerSchedulerTest {
  private final OneWorkerScheduler.Worker worker = new OneWorkerScheduler.Worker();

  OneWorkerSchedulerTest() {
    worker.setInstanceName("test");
    worker.initialize();
  }

  @Test
  void aSecondJobIsRefusedWhileTheFirstRuns() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    assertThat(worker.runInThread(() -> await(release))).isTrue();

    assertThat(worker.runInThread(() -> {})).isFalse();
    release.countDown();
    assertThat(worker.blockForAvailableThreads()).isEqualTo(1);
    assertThat(worker.runInThread(() -> {})).isTrue();
    worker.shutdown(true);
  }

  @Test
  void aShutdownThatWaitsReturnsOnlyAfterTheRunningJobEnded() throws Exception {
    AtomicBoolean ended = aJobRunningFor300Ms();

    worker.shutdown(true);
    assertThat(ended).isTrue();
  }

  /** review-s12d F4: a stop from an interrupted thread (a test's timeout, Quartz's own halt) still waits. */
  @Test
  void aShutdownThatWaitsWaitsThroughAnInterruptAndKeepsIt() throws Exception {
    AtomicBoolean ended = aJobRunningFor300Ms();

    Thread.currentThread().interrupt();
    worker.shutdown(true);
    assertThat(Thread.interrupted()).isTrue();
    assertThat(ended).isTrue();
  }

  @Test
  void noJobRunsAfterAShutdown() {
    worker.shutdown(false);

    assertThat(worker.runInThread(() -> {})).isFalse();
    assertThat(worker.blockForAvailableThreads()).isZero();
  }

  @Test
  void theWorkerThreadIsNamedForItsScheduler() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    String[] name = new String[1];
    worker.runInThread(() -> {
      name[0] = Thread.currentThread().getName();
      ran.countDown();
    });
    ran.await(10, TimeUnit.SECONDS);
    assertThat(name[0]).isEqualTo("test_Worker-1");
    worker.shutdown(true);
  }

  /** Starts a job that runs for 300 ms; whether it ended. */
  private AtomicBoolean aJobRunningFor300Ms() throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean ended = new AtomicBoolean();
    worker.runInThread(() -> {
      started.countDown();
      sleep(300);
      ended.set(true);
    });
    started.await();
    return ended;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
