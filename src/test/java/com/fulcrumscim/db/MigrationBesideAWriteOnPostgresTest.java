package com.fulcrumscim.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A migration beside a running node's SCIM write, which reads the schema version first
 * ({@link Database#writeOnKnownSchema}): the migration waits for that write to commit, so its
 * statements see the write's rows (review-s13e F1). Before, it went on and committed first, and the
 * write stored its rows in the new schema without what the migration filled in.
 */
@RequiresPostgres
class MigrationBesideAWriteOnPostgresTest {
  final StoreLocation.Postgres pg = (StoreLocation.Postgres) TestStore.emptyPostgres().location();

  @Test
  void aMigrationWaitsForAWriteThatReadTheVersionUnderWay() throws Exception {
    OlderRelease.schema(pg, OlderRelease.newest() - 1);
    try (Connection write = DriverManager.getConnection(pg.url(), pg.username(), pg.password())) {
      write.setAutoCommit(false);
      try (Statement s = write.createStatement()) {
        s.executeQuery("SELECT max(version) FROM schema_version").close();
      }

      CompletableFuture<Migrations.Versions> migration = CompletableFuture.supplyAsync(() -> Database.migrate(pg));
      LockWaits.until(pg, "LOCK TABLE schema_version", migration);
      assertThat(migration).as("migrated under a write under way").isNotDone();

      write.commit();
      assertThat(migration.get(30, TimeUnit.SECONDS).known()).isEqualTo(OlderRelease.newest());
    }
  }
}
