package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.ops.Readiness;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL (review-ha F2): SCIM requests on node A that wait on a row lock node
 * B holds (a hot group) fill A's whole connection pool. The writer lease's renewals and the
 * readiness probe still get a connection. Before, they queued behind those requests: the healthy
 * leader lost its lease, and /readyz answered 503 on what might be the only node left.
 */
@RequiresPostgres
class LeaseWithAFullPoolOnPostgresTest {
  static final Duration TTL = Duration.ofSeconds(3);
  final Clock clock = Clock.systemUTC();
  final ExecutorService pool = Executors.newCachedThreadPool();
  final CountDownLatch release = new CountDownLatch(1);
  Database dbA;
  Database dbB;

  @BeforeEach
  void twoNodesAndAHotRow() {
    StoreLocation where = TestStore.freshPostgres().location();
    dbA = Database.open(where);
    dbB = Database.open(where);
    dbA.write(c -> c.createStatement().executeUpdate("CREATE TABLE hot (id INT PRIMARY KEY)")
        + c.createStatement().executeUpdate("INSERT INTO hot VALUES (1)"));
  }

  @AfterEach
  void close() throws Exception {
    release.countDown();
    pool.shutdown();
    pool.awaitTermination(30, TimeUnit.SECONDS);
    dbA.close();
    dbB.close();
  }

  @Test
  void aLeaderKeepsItsLeaseWhileRequestsWaitingOnAnotherNodesRowLockFillItsPool() throws Exception {
    Leadership leadA = new Leadership(TTL);
    try (LeaseKeeper keeperA = new LeaseKeeper(lease(dbA), leadA, () -> {}, () -> {})) {
      keeperA.start();
      Thread.sleep(300);
      assertThat(leadA.leading()).isTrue();

      poolOfAFilledByRequestsWaitingOnBsLock();

      long until = System.nanoTime() + TTL.multipliedBy(3).toNanos();
      while (System.nanoTime() < until) {
        assertThat(leadA.leading()).as("node A leads").isTrue();
        Thread.sleep(100);
      }
      assertThat(lease(dbB).tryHold()).as("node B takes the lease").isFalse();
    }
  }

  @Test
  void aNodeStaysReadyWhileRequestsWaitingOnAnotherNodesRowLockFillItsPool() throws Exception {
    poolOfAFilledByRequestsWaitingOnBsLock();

    assertThat(new Readiness(dbA).check().reason()).isEmpty();
  }

  private WriterLease lease(Database db) {
    return new WriterLease(db, DatabaseClock.of(db, clock), WriterLease.Role.DAEMON, TTL);
  }

  /** Node B's write holds the hot row (a group) locked; twelve SCIM writes on node A wait for it. */
  private void poolOfAFilledByRequestsWaitingOnBsLock() throws InterruptedException {
    CountDownLatch locked = new CountDownLatch(1);
    pool.submit(() -> dbB.write(c -> {
      c.createStatement().executeQuery("SELECT id FROM hot WHERE id = 1 FOR UPDATE").close();
      locked.countDown();
      release.await();
      return null;
    }));
    assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 12; i++) {
      pool.submit(() -> dbA.write(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM hot WHERE id = 1 FOR UPDATE")) {
          ps.executeQuery().close();
        }
        return null;
      }));
    }
    Thread.sleep(500); // every pooled connection of node A now waits on the lock
  }
}
