package com.fulcrumscim.scim;

import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/** Every test of {@link ConcurrentGroupChangesTest} against a receiver on PostgreSQL. */
@RequiresPostgres
class ConcurrentGroupChangesOnPostgresTest extends ConcurrentGroupChangesTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }

  /**
   * pg_stat_database's count for the test's own database. A session adds what it counted when it
   * ends, if not before, so this waits for the receiver's sessions to be gone.
   */
  @Override
  long deadlocksBroken() throws Exception {
    StoreLocation.Postgres pg = (StoreLocation.Postgres) server.store().location();
    try (Connection c = DriverManager.getConnection(pg.url(), pg.username(), pg.password());
        Statement s = c.createStatement()) {
      for (int wait = 0; wait < 100 && count(s, "SELECT count(*) FROM pg_stat_activity "
          + "WHERE datname = current_database() AND pid <> pg_backend_pid()") > 0; wait++) {
        Thread.sleep(50);
      }
      return count(s, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    }
  }

  private static long count(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
