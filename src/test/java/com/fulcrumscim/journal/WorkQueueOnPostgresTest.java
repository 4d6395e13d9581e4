package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.ClaimFence;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every test of {@link WorkQueueTest} on a PostgreSQL database of its own. */
@RequiresPostgres
class WorkQueueOnPostgresTest extends WorkQueueTest {
  @Override
  StoreLocation store() {
    return TestStore.freshPostgres().location();
  }

  /**
   * The check locks the row until the write commits: a node taking over (its rescue, then its claim)
   * waits for that write instead of claiming beside it, so the write never lands after the takeover.
   */
  @Test
  void aTakeoverWaitsForAWriteUnderTheClaimToCommit() throws Exception {
    queue.enqueue(alice);
    WorkItem claimed = queue.claim(1).get(0);
    CountDownLatch checked = new CountDownLatch(1);
    CountDownLatch commit = new CountDownLatch(1);
    ExecutorService nodes = Executors.newFixedThreadPool(2);
    try {
      Future<?> write = nodes.submit(() -> db.write(c -> {
        queue.stillClaimed(claimed).run(c);
        checked.countDown();
        commit.await();
        return null;
      }));
      assertThat(checked.await(5, TimeUnit.SECONDS)).isTrue();
      Future<Integer> rescue = nodes.submit(() -> queue.rescue(ClaimFence.NONE));
      Thread.sleep(500);
      assertThat(rescue).as("the takeover waits while the write is open").isNotDone();
      commit.countDown();
      write.get(5, TimeUnit.SECONDS);
      assertThat(rescue.get(5, TimeUnit.SECONDS)).as("then rescues the row").isEqualTo(1);
    } finally {
      commit.countDown();
      nodes.shutdownNow();
    }
  }

  @Override
  void refuseWorkRowsFor(String entityId) {
    db.write(c -> c.createStatement().executeUpdate("CREATE FUNCTION refuse_ops() RETURNS trigger LANGUAGE plpgsql AS $$ "
        + "BEGIN IF NEW.entity_id = '" + entityId + "' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$; "
        + "CREATE TRIGGER refuse_ops BEFORE INSERT ON work FOR EACH ROW EXECUTE FUNCTION refuse_ops()"));
  }
}
