package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.db.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keeper on its own thread and the real clock, on a real SQLite file: renewals come on time
 * however long each keep takes (review-s6b F2). A leader's writes stop once its last renewal is
 * half a lease old ({@link Leadership}), so a next renewal scheduled a third of the lease after a
 * keep that spent its look's whole bound (a quarter of the lease) came past that point, and the
 * only leader refused its own Fulcrum writes for a twelfth of every cycle.
 */
class LeaseKeeperOnTimeTest {
  static final Duration TTL = Duration.ofSeconds(3);
  @TempDir Path dir;
  Database db;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("bridge.db"));
  }

  @AfterEach
  void close() {
    db.close();
  }

  /** A look on a stuck connection, at each renewal: it gives up only once it has waited all of its bound. */
  static Optional<String> stuck(Duration bound) {
    try {
      Thread.sleep(bound.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new IllegalStateException("the read gave up after " + bound);
  }

  @Test
  void aHaltedKeeperRenewsNoMoreAndHaltsAtOnce() {
    Leadership leadership = new Leadership(TTL);
    WriterLease lease = new WriterLease(db, c -> Clock.systemUTC().millis(), WriterLease.Role.DAEMON, TTL);
    LeaseKeeper keeper = new LeaseKeeper(lease, leadership, () -> {}, () -> {});
    keeper.start();
    await().atMost(Duration.ofSeconds(5)).until(leadership::mayWrite);
    WriterLease.Holder before = lease.current().orElseThrow();

    long start = System.nanoTime();
    keeper.halt();

    // a keep scheduled before the halt ran after it, and the halt waited for it: a renewal, up to a third of a lease later
    assertThat(lease.current().orElseThrow().expiresAt()).isEqualTo(before.expiresAt());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TTL.dividedBy(6));
  }

  @Test
  void aLeaderWhoseLookIsStuckForItsWholeBoundMayWriteThroughout() throws Exception {
    Leadership leadership = new Leadership(TTL);
    LeaseKeeper keeper = new LeaseKeeper(new WriterLease(db, c -> Clock.systemUTC().millis(), WriterLease.Role.DAEMON, TTL),
        leadership, () -> {}, () -> {}, bound -> leadership.leading() ? stuck(bound) : Optional.empty());
    keeper.start();
    try {
      await().atMost(Duration.ofSeconds(5)).until(leadership::mayWrite);
      long until = System.nanoTime() + TTL.multipliedBy(2).toNanos(); // three cycles and more
      int refused = 0;
      while (System.nanoTime() < until) {
        refused += leadership.mayWrite() ? 0 : 1;
        Thread.sleep(5);
      }

      assertThat(refused).as("looks at mayWrite that found the leader's writes refused").isZero();
      assertThat(leadership.leading()).isTrue();
    } finally {
      keeper.close();
    }
  }
}
