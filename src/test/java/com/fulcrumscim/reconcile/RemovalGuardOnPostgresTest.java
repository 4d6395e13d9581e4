package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link RemovalGuardTest} on PostgreSQL, where each statement outside a transaction
 * sees the latest commits: the guard's counts read apart counted a removal whose outcome committed
 * between them as pending and as made, and an ordinary batch was held for an operator.
 */
@RequiresPostgres
class RemovalGuardOnPostgresTest extends RemovalGuardTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }

  @Test
  void aRemovalWhoseOutcomeCommitsWhileTheGuardCountsIsCountedOnce() throws Exception {
    // one removal pending, guard: more than 1; pending or made, it is one
    removalPending("u-leaver");

    assertThat(heldWhileTheOutcomeCommitsAndIsUndone("u-leaver")).isEmpty();
    assertThat(guard.holdsMore(1)).as("a second removal is over the guard").isPresent();
  }

  /**
   * The same, with an ordinary change queued too: the upper bound (queued rows plus audit rows) is
   * then over the guard at every moment, so the one statement of the exact count answers each check.
   */
  @Test
  void aRemovalWhoseOutcomeCommitsWhileTheExactCountRunsIsCountedOnce() throws Exception {
    removalPending("u-leaver");
    new WorkQueue(db, Clock.systemUTC()).enqueue(ResourceKey.user("u-renamed"));

    assertThat(heldWhileTheOutcomeCommitsAndIsUndone("u-leaver")).isEmpty();
    assertThat(guard.holdsMore(1)).as("a second removal is over the guard").isPresent();
  }

  /** What the guard held within 3 s while {@code userId}'s removal was made and undone over and over. */
  List<String> heldWhileTheOutcomeCommitsAndIsUndone(String userId) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Thread outcome = new Thread(() -> {
      while (!stop.get()) {
        db.write(c -> c.createStatement().executeUpdate("UPDATE work SET state = 'DONE' WHERE entity_id = '" + userId
            + "'; INSERT INTO reconcile_audit (at, entity_type, scim_id, action, result) VALUES ("
            + System.currentTimeMillis() + ", 'USER', '" + userId + "', 'REMOVE_MEMBER', 'ok')"));
        db.write(c -> c.createStatement().executeUpdate("UPDATE work SET state = 'PENDING' WHERE entity_id = '" + userId
            + "'; DELETE FROM reconcile_audit"));
      }
    });
    outcome.start();
    List<String> held = new ArrayList<>();
    try {
      long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < until && held.isEmpty()) {
        guard.holdsMore(0).ifPresent(held::add);
      }
    } finally {
      stop.set(true);
      outcome.join();
    }
    return held;
  }
}
