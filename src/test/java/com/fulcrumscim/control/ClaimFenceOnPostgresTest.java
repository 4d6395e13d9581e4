package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Two nodes on one PostgreSQL (review-ha F1): a node that checked its lease in memory and then
 * stalled past it claims nothing once another took over, and a claim under way when another node
 * takes over commits before that take-over, whose rescue then sees it. Before, a stale claim could
 * commit after the new leader's one-time rescue, and if its node then died the row stayed RUNNING
 * (a deactivation blocked) for as long as the new leader led.
 *
 * <p>The tests run side by side: each has its own database and two nodes of its own, and four of
 * them sleep out a lease life (a stall), which they need not do one after the other.
 */
@RequiresPostgres
@Execution(ExecutionMode.CONCURRENT)
class ClaimFenceOnPostgresTest {
  static final Duration TTL = Duration.ofSeconds(4);
  final Clock clock = Clock.systemUTC();
  final ResourceKey leaver = ResourceKey.user("u-leaver");
  Database dbA;
  Database dbB;
  WriterLease leaseA;
  WriterLease leaseB;
  WorkQueue queueA;
  WorkQueue queueB;

  @BeforeEach
  void twoNodes() {
    StoreLocation where = TestStore.freshPostgres().location();
    dbA = Database.open(where);
    dbB = Database.open(where);
    leaseA = new WriterLease(dbA, DatabaseClock.of(dbA, clock), WriterLease.Role.DAEMON, TTL);
    leaseB = new WriterLease(dbB, DatabaseClock.of(dbB, clock), WriterLease.Role.DAEMON, TTL);
    queueA = new WorkQueue(dbA, clock, leaseA.fence());
    queueB = new WorkQueue(dbB, clock, leaseB.fence());
    dbB.write(c -> { // node B accepted Okta's deactivation
      queueB.enqueue(c, leaver, true);
      return null;
    });
  }

  @AfterEach
  void close() {
    dbA.close();
    dbB.close();
  }

  @Test
  void aNodeThatStalledPastItsLeaseClaimsNothingOnceAnotherTookOver() {
    assertThat(leaseA.tryHold()).isTrue();
    sleep(TTL.toMillis() + 300); // node A stalls between its check in memory and its claim
    assertThat(leaseB.tryHold()).isTrue();
    assertThat(queueB.rescue(leaseB.fence())).isZero();

    assertThat(queueA.claim(10)).as("the stale node's claim").isEmpty();
    assertThat(queueB.claim(10)).extracting(WorkItem::key).containsExactly(leaver);
  }

  @Test
  void aTakeOverWaitsForAClaimUnderWaySoItsRescueSeesIt() throws Exception {
    assertThat(leaseA.tryHold()).isTrue();
    CountDownLatch stalled = new CountDownLatch(1);
    WorkQueue stallingA = new WorkQueue(dbA, clock, c -> {
      boolean holds = leaseA.fence().holds(c);
      sleep(TTL.toMillis() + 300); // a pause inside the claim's transaction: the lease runs out meanwhile
      stalled.countDown();
      sleep(300); // node B tries to take over now
      return holds;
    });
    CompletableFuture<List<WorkItem>> staleClaim = CompletableFuture.supplyAsync(() -> stallingA.claim(10));
    assertThat(stalled.await(30, TimeUnit.SECONDS)).isTrue();

    assertThat(leaseB.tryHold()).isTrue();
    int rescued = queueB.rescue(leaseB.fence());

    assertThat(staleClaim.get(30, TimeUnit.SECONDS)).extracting(WorkItem::key).containsExactly(leaver);
    assertThat(rescued).as("the take-over's rescue saw the claim that was under way").isEqualTo(1);
    assertThat(queueB.claim(10)).extracting(WorkItem::key).containsExactly(leaver);
  }

  @Test
  void aNodeThatStalledPastItsLeaseClaimsNoOperatorRequestOnceAnotherTookOver() {
    RequestStore requestsA = new RequestStore(dbA, clock, leaseA.fence());
    RequestStore requestsB = new RequestStore(dbB, clock, leaseB.fence());
    long asked = requestsB.submit(OperatorRequest.Kind.APPROVE_REMOVALS, null, false);
    assertThat(leaseA.tryHold()).isTrue();
    sleep(TTL.toMillis() + 300);
    assertThat(leaseB.tryHold()).isTrue();
    assertThat(requestsB.abandonRunning("the daemon stopped")).isZero();

    assertThat(requestsA.claimNext()).as("the stale node's claim").isEmpty();
    assertThat(requestsB.claimNext()).map(OperatorRequest::id).contains(asked);
  }

  /**
   * review-s6b F1: a node's executor abandons the RUNNING requests at its take-over; a node that
   * stalled between taking the lease and that abandon, while another took over and claimed a
   * request, would answer the new leader's request as failed (its command exiting 1 while the
   * request is still carried out).
   */
  @Test
  void aStaleTakeOverAbandonsNoRequestTheNewLeaderRuns() {
    RequestStore requestsA = new RequestStore(dbA, clock, leaseA.fence());
    RequestStore requestsB = new RequestStore(dbB, clock, leaseB.fence());
    long asked = requestsB.submit(OperatorRequest.Kind.APPROVE_REMOVALS, null, false);
    assertThat(leaseA.tryHold()).isTrue();
    sleep(TTL.toMillis() + 300); // node A stalls between its take-over and its executor's start
    assertThat(leaseB.tryHold()).isTrue();
    assertThat(requestsB.abandonRunning("the daemon stopped")).isZero();
    assertThat(requestsB.claimNext()).map(OperatorRequest::id).contains(asked);

    assertThat(requestsA.abandonRunning("the daemon stopped")).as("the stale node's abandon").isZero();
    assertThat(requestsB.get(asked)).map(OperatorRequest::state).contains(OperatorRequest.State.RUNNING);
  }

  /**
   * The request executor asks several times a second and nearly always finds nothing (review-s4 F6 a):
   * such a poll does not lock the lease row, so it never waits behind a take-over under way, nor
   * makes the leader's renewal or a standby's take-over wait behind it.
   */
  @Test
  void aPollThatFindsNoRequestDoesNotWaitOnTheLease() throws Exception {
    assertThat(leaseA.tryHold()).isTrue();
    RequestStore requestsA = new RequestStore(dbA, clock, leaseA.fence());
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch polled = new CountDownLatch(1);
    CompletableFuture<Object> takeOverUnderWay = CompletableFuture.supplyAsync(() -> dbB.write(c -> {
      c.createStatement().executeQuery("SELECT 1 FROM writer_lease FOR UPDATE").close(); // as node B's upsert locks it
      locked.countDown();
      polled.await(30, TimeUnit.SECONDS);
      return null;
    }));
    assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
    try {
      CompletableFuture<Optional<OperatorRequest>> poll = CompletableFuture.supplyAsync(requestsA::claimNext);

      assertThat(poll.get(2, TimeUnit.SECONDS)).as("answered while the lease row is locked").isEmpty();
    } finally {
      polled.countDown();
      takeOverUnderWay.get(30, TimeUnit.SECONDS);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
