package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon whose keeper missed its renewals for a lease life (GC pause, SIGSTOP, the database out
 * of reach) with no other node taking over steps down and, in the same keep, takes the lease again
 * (review-s6b F3). Its take-over rescues through its reconciler's queue (Bridge.startWriting), so
 * the rows its own workers still apply stay theirs: handed back, the next claim of the same process
 * (a resync's settle cycle, the next tick) would take them a second time while the first worker,
 * whose Fulcrum writes pass the renewed leadership, still applies them.
 */
class OwnLeaseRetakenTest {
  static final Duration TTL = WriterLease.TTL;
  @TempDir Path dir;
  final SettableClock clock = new SettableClock();
  Database db;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("bridge.db"));
  }

  @AfterEach
  void close() {
    db.close();
  }

  long nanos() {
    return clock.millis() * 1_000_000;
  }

  @Test
  void aRetakeAfterAStallLeavesTheRowsItsOwnWorkersApplyToThem() {
    ResourceKey leaver = ResourceKey.user("u-leaver");
    WriterLease lease = new WriterLease(db, c -> clock.millis(), WriterLease.Role.DAEMON, TTL);
    WorkQueue reconcilers = new WorkQueue(db, clock, lease.fence());
    Leadership leadership = new Leadership(TTL, this::nanos);
    LeaseKeeper keeper = new LeaseKeeper(lease, leadership, () -> reconcilers.rescue(lease.fence()), () -> {},
        bound -> Optional.empty(), this::nanos);
    keeper.keep(); // takes over
    reconcilers.enqueue(leaver);
    List<WorkItem> first = reconcilers.claim(10); // a cycle's worker starts applying the deactivation
    assertThat(first).extracting(WorkItem::key).containsExactly(leaver);

    clock.tick(TTL.plusSeconds(2)); // the whole process stalls; no other node takes the lease
    keeper.keep(); // steps down, then takes the lease again at once, and rescues

    assertThat(leadership.mayWrite()).isTrue();
    assertThat(reconcilers.claim(10)).as("another cycle's claim while the first worker applies the row").isEmpty();
  }
}
