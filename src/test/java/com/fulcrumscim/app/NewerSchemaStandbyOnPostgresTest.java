package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link NewerSchemaStandbyTest} on PostgreSQL, where several nodes share one database. */
@RequiresPostgres
class NewerSchemaStandbyOnPostgresTest extends NewerSchemaStandbyTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }

  /**
   * review-s4 F4: on PostgreSQL the take-over's look at the schema cannot see a migration that has
   * not committed, so an older standby taking the lease while one is under way passed it. Before, it
   * then led over the new schema for good; now its next renewal looks again and it steps down.
   */
  @Test
  void anOlderStandbyThatTookOverWhileAMigrationWasUnderWayStepsDownOnceItCommits() throws Exception {
    int known = schemaVersion();
    CountDownLatch recorded = new CountDownLatch(1);
    CountDownLatch commit = new CountDownLatch(1);
    CompletableFuture<Integer> migration = CompletableFuture.supplyAsync(() -> newerNode.write(c -> {
      int n = c.createStatement().executeUpdate("INSERT INTO schema_version (version) VALUES (" + (known + 1) + ")");
      recorded.countDown();
      commit.await();
      return n;
    }));
    assertThat(recorded.await(10, TimeUnit.SECONDS)).isTrue();
    newerNodeStops(); // the migration read no live lease, as when it began right after the newer node's expired

    olderNodeLeadsWithin(5_000);
    commit.countDown();
    migration.get(10, TimeUnit.SECONDS);

    olderNodeStopsLeadingWithin(3_000);
    assertThat(liveLeaseHolder()).isEmpty();
  }
}
