package com.fulcrumscim.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Watches a PostgreSQL database's sessions for one that waits on a lock: where a test holds a migration or a write. */
final class LockWaits {
  private LockWaits() {}

  /**
   * Returns once a session of {@code pg} runs a statement starting {@code statement} and waits on a
   * lock; fails if {@code work} ends first, or after 30 s.
   */
  static void until(StoreLocation.Postgres pg, String statement, Future<?> work) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try (Connection c = DriverManager.getConnection(pg.url(), pg.username(), pg.password());
        PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity "
            + "WHERE wait_event_type = 'Lock' AND query LIKE ?")) {
      ps.setString(1, statement + "%");
      while (true) {
        assertThat(work.isDone()).as("ended without waiting in " + statement).isFalse();
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getInt(1) > 0) {
            return;
          }
        }
        assertThat(System.nanoTime()).as("a session waits in " + statement).isLessThan(until);
        Thread.sleep(20);
      }
    }
  }
}
