package com.fulcrumscim.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * review-s4 F4: a node of an older release standing by while a newer one migrates. Its take-over
 * (the lease's upsert) made in the midst of the migration waits for the migration's commit, so the
 * look at the schema it makes next finds the new version and it refuses to lead. Before, the take-over
 * went through at once and read the old version, the migration not yet committed.
 */
@RequiresPostgres
class TakeOverDuringAMigrationOnPostgresTest {
  final StoreLocation.Postgres pg = (StoreLocation.Postgres) TestStore.emptyPostgres().location();
  Connection slowing;

  @BeforeEach
  void anOlderSchemaWhoseMigrationIsSlow() throws Exception {
    OlderRelease.schema(pg, OlderRelease.newest() - 1);
    // held up at the newest migration's first statement (V018's ALTER TABLE scim_user), it has locked and read the lease:
    // the version's row is no place to hold it now, as a migration locks the version's table first
    slowing = connect();
    slowing.setAutoCommit(false);
    try (Statement s = slowing.createStatement()) {
      s.execute("LOCK TABLE scim_user IN ACCESS EXCLUSIVE MODE");
    }
  }

  @AfterEach
  void close() throws SQLException {
    slowing.close();
  }

  @Test
  void aStandbyTakingTheLeaseWhileAMigrationIsUnderWayFindsTheNewSchema() throws Exception {
    CompletableFuture<Migrations.Versions> migration = CompletableFuture.supplyAsync(() -> Database.migrate(pg));
    LockWaits.until(pg, "ALTER TABLE scim_user", migration);

    CompletableFuture<Integer> standby = CompletableFuture.supplyAsync(this::takeTheLeaseThenReadTheSchemaVersion);
    LockWaits.until(pg, "INSERT INTO writer_lease", standby);
    slowing.commit();

    assertThat(migration.get(30, TimeUnit.SECONDS).known()).as("migrated").isEqualTo(OlderRelease.newest());
    assertThat(standby.get(30, TimeUnit.SECONDS)).as("the version the standby finds once it holds the lease")
        .isEqualTo(OlderRelease.newest());
  }

  /** What a standby's take-over does: the lease's upsert, then a look at the schema version. */
  private int takeTheLeaseThenReadTheSchemaVersion() {
    try (Connection c = connect()) {
      long now = System.currentTimeMillis();
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO writer_lease (name, holder, role, acquired_at, expires_at) "
          + "VALUES ('fulcrum', 'an older standby', 'DAEMON', ?, ?) ON CONFLICT (name) DO UPDATE SET "
          + "holder = excluded.holder, role = excluded.role, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at "
          + "WHERE writer_lease.expires_at <= ?")) {
        ps.setLong(1, now);
        ps.setLong(2, now + 15_000);
        ps.setLong(3, now);
        assertThat(ps.executeUpdate()).as("took the lease").isEqualTo(1);
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT max(version) FROM schema_version")) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new CompletionException(e);
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(pg.url(), pg.username(), pg.password());
  }
}
