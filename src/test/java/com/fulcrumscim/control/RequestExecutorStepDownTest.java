package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.ops.ExitCode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that stops leading (its executor closed from the lease keeper's thread) finishes the
 * request in flight and leaves the rest to the new leader, on a real SQLite file.
 */
class RequestExecutorStepDownTest {
  @TempDir Path dir;
  Database db;
  RequestStore store;
  RequestExecutor executor;
  /** The first resync request "runs" until the test lets it end (a long operator resync in the daemon). */
  final CountDownLatch firstRequestMayEnd = new CountDownLatch(1);

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("bridge.db"));
    store = new RequestStore(db, Clock.systemUTC());
    executor = new RequestExecutor(store, OperatorActions.configured(ConfigLoader.fromSystemEnvironment().defaults(), db,
        Clock.systemUTC(), () -> {}), () -> {
          try {
            firstRequestMayEnd.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new IllegalStateException("stand-in for a long resync");
        });
  }

  @AfterEach
  void close() {
    firstRequestMayEnd.countDown();
    executor.close();
    db.close();
  }

  @Test
  void anExecutorClosingOnStepDownClaimsNoFurtherRequest() throws Exception {
    executor.start();
    long first = store.submit(OperatorRequest.Kind.RESYNC, null, false);
    await().atMost(Duration.ofSeconds(10)).until(() -> store.get(first).orElseThrow().state() == OperatorRequest.State.RUNNING);

    Thread stepDown = new Thread(executor::close); // this node lost the lease
    stepDown.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> stepDown.getState() == Thread.State.TIMED_WAITING);
    long second = store.submit(OperatorRequest.Kind.RETRY, null, false); // a command, for the new leader
    Thread.sleep(RequestExecutor.POLL.multipliedBy(3).toMillis());
    firstRequestMayEnd.countDown();
    stepDown.join();

    assertThat(store.get(first).orElseThrow().state()).isEqualTo(OperatorRequest.State.DONE);
    assertThat(store.get(second).orElseThrow().state()).as("left for the new leader").isEqualTo(OperatorRequest.State.PENDING);
  }

  /**
   * review-s15e F1: a node that lost the lease with a request stuck on Fulcrum (left to its thread after
   * a quarter lease) and leads again at once: the new loop answered the request "run the command again"
   * while it still ran, and claimed the next beside it, two requests at once. Now the request in flight
   * answers its own command, and the next waits for it.
   */
  @Test
  void aNodeLeadingAgainWhileItsLastRequestStillRunsLetsItFinishAndRunsNothingBesideIt() throws Exception {
    executor.start();
    long first = store.submit(OperatorRequest.Kind.RESYNC, null, false);
    await().atMost(Duration.ofSeconds(10)).until(() -> store.get(first).orElseThrow().state() == OperatorRequest.State.RUNNING);
    assertThat(executor.close(Duration.ofMillis(100))).as("the request in flight has not ended").isFalse();
    long second = store.submit(OperatorRequest.Kind.RETRY, null, false);

    executor.start(); // the lease taken again
    Thread.sleep(RequestExecutor.POLL.multipliedBy(3).toMillis());

    assertThat(store.get(first).orElseThrow().state()).as("still carried out").isEqualTo(OperatorRequest.State.RUNNING);
    assertThat(store.get(second).orElseThrow().state()).as("not begun beside it").isEqualTo(OperatorRequest.State.PENDING);
    firstRequestMayEnd.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> store.get(second).orElseThrow().state() == OperatorRequest.State.DONE);
    assertThat(store.get(first).orElseThrow().answer().err()).as("its own answer")
        .startsWith("the daemon could not carry this out: java.lang.IllegalStateException: stand-in for a long resync");
  }

  /** The lease lost and taken again twice while the first request still runs: it is still the one waited for. */
  @Test
  void aSecondStepDownAndReturnStillWaitsForTheRequestTheFirstLeftRunning() throws Exception {
    executor.start();
    long first = store.submit(OperatorRequest.Kind.RESYNC, null, false);
    await().atMost(Duration.ofSeconds(10)).until(() -> store.get(first).orElseThrow().state() == OperatorRequest.State.RUNNING);
    assertThat(executor.close(Duration.ofMillis(100))).isFalse();
    executor.start();
    assertThat(executor.close(Duration.ofMillis(100))).as("the first request has not ended").isFalse();
    long second = store.submit(OperatorRequest.Kind.RETRY, null, false);

    executor.start();
    Thread.sleep(RequestExecutor.POLL.multipliedBy(3).toMillis());

    assertThat(store.get(first).orElseThrow().state()).as("still carried out").isEqualTo(OperatorRequest.State.RUNNING);
    assertThat(store.get(second).orElseThrow().state()).as("not begun beside it").isEqualTo(OperatorRequest.State.PENDING);
  }

  /** review-s15e F2: a stop after a step-down that left a request running is no clean one. */
  @Test
  void aCloseWhileARequestLeftByAnEarlierCloseStillRunsSaysItHasNotEnded() throws Exception {
    executor.start();
    long first = store.submit(OperatorRequest.Kind.RESYNC, null, false);
    await().atMost(Duration.ofSeconds(10)).until(() -> store.get(first).orElseThrow().state() == OperatorRequest.State.RUNNING);
    assertThat(executor.close(Duration.ofMillis(100))).isFalse();

    assertThat(executor.close(Duration.ofMillis(100))).isFalse();
    firstRequestMayEnd.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> executor.close(Duration.ZERO));
  }

  @Test
  void aLateAnswerDoesNotOverwriteTheOneGivenWhenANewLeaderAbandonedTheRequest() {
    long asked = store.submit(OperatorRequest.Kind.RETRY, null, false);
    assertThat(store.claimNext()).isPresent(); // the old leader, stalled while carrying it out
    store.abandonRunning("the daemon stopped while carrying this request out; run the command again");

    boolean written = store.answer(asked, new OperatorRequest.Answer(ExitCode.OK, "no dead rows", ""));

    assertThat(written).isFalse();
    assertThat(store.get(asked).orElseThrow().answer().err()).startsWith("the daemon stopped while carrying this request out");
  }
}
