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
   * The check locks the row until the write commits (review-s6b F5): a node taking over does not
   * wait for a stale node's open write (stopped inside it, it holds the lock up to
   * idle_in_transaction_session_timeout, while the new leader's keeper, whose thread rescues, renews
   * nothing), nor takes the row from under it; its next claim's sweep hands the row back once the
   * write ends, so the write never lands after the row was taken over.
   */
  @Test
  void aTakeoversRescueSkipsARowUnderAnOpenWriteAndTheNextClaimTakesItOnceTheWriteEnds() throws Exception {
    queue.enqueue(alice);
    WorkItem claimed = queue.claim(1).get(0);
    WorkQueue takingOver = new WorkQueue(db, clock);
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
      Future<Integer> rescue = nodes.submit(() -> takingOver.rescue(ClaimFence.NONE));
      assertThat(rescue.get(5, TimeUnit.SECONDS)).as("the take-over's rescue, while the write is open").isZero();
      assertThat(takingOver.claim(10)).as("a claim while the write is open").isEmpty();
      commit.countDown();
      write.get(5, TimeUnit.SECONDS);

      assertThat(takingOver.claim(10)).extracting(WorkItem::key).containsExactly(alice);
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
