package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every test of {@link PauseTest} on PostgreSQL, where two nodes can end one pause at the same moment. */
@RequiresPostgres
class PauseOnPostgresTest extends PauseTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }

  /**
   * A node that stalled past its lease and the node that took over both see Fulcrum accept the
   * token again and resume together: the paused time is given back once.
   */
  @Test
  void twoNodesEndingOnePauseAtOnceGiveItsTimeBackOnce() throws Exception {
    Instant failed = aRowFailedOnce();
    h.pause.pause("Fulcrum answered 401", Optional.empty());
    h.clock.tick(WEEKEND);
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch unlock = new CountDownLatch(1);
    ExecutorService nodes = Executors.newFixedThreadPool(3);
    try {
      // Holds the pause's rows, so that both resumes are under way before either can take them.
      Future<?> holder = nodes.submit(() -> h.db.write(c -> {
        c.createStatement().executeQuery("SELECT value FROM setting WHERE key LIKE 'reconciler.paused%' FOR UPDATE").close();
        locked.countDown();
        unlock.await();
        return null;
      }));
      assertThat(locked.await(5, TimeUnit.SECONDS)).isTrue();
      Future<?> one = nodes.submit(h.pause::resume);
      Future<?> other = nodes.submit(new Pause(h.db, h.queue, h.clock)::resume);
      Thread.sleep(500);
      assertThat(one).as("waiting for the pause's rows").isNotDone();
      assertThat(other).as("waiting for the pause's rows").isNotDone();
      unlock.countDown();
      holder.get(5, TimeUnit.SECONDS);
      one.get(5, TimeUnit.SECONDS);
      other.get(5, TimeUnit.SECONDS);
    } finally {
      unlock.countDown();
      nodes.shutdownNow();
    }

    assertThat(firstFailureOf("u-failing")).isEqualTo(failed.plus(WEEKEND));
    assertThat(h.pause.reason()).isEmpty();
  }
}
