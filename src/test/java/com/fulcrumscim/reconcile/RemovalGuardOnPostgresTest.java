package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
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
    AtomicBoolean stop = new AtomicBoolean();
    Thread outcome = new Thread(() -> {
      while (!stop.get()) {
        db.write(c -> c.createStatement().executeUpdate("UPDATE work SET state = 'DONE'; INSERT INTO reconcile_audit "
            + "(at, entity_type, scim_id, action, result) VALUES (" + System.currentTimeMillis() + ", 'USER', 'u-leaver', "
            + "'REMOVE_MEMBER', 'ok')"));
        db.write(c -> c.createStatement().executeUpdate("UPDATE work SET state = 'PENDING'; DELETE FROM reconcile_audit"));
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

    assertThat(held).isEmpty();
    assertThat(guard.holdsMore(1)).as("a second removal is over the guard").isPresent();
  }
}
