package com.fulcrumscim.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;

/**
 * What time it is for the lease and the shared call budget: the database's clock, read on the
 * connection of the transaction that uses it. Nodes on different hosts then compare expiries on
 * one clock, so a node whose own clock runs fast or slow cannot take a live lease or see a
 * different trailing hour. SQLite lives on this host: its clock is the local one.
 */
@FunctionalInterface
public interface DatabaseClock {
  /** Milliseconds since the epoch, as the database sees it now. */
  long millis(Connection c) throws SQLException;

  /** The clock of {@code db}'s engine; {@code local} is SQLite's (and the one tests set). */
  static DatabaseClock of(Database db, Clock local) {
    return of(db.dialect(), local);
  }

  /** The clock of a {@code dialect} store, for a connection opened without a {@link Database}. */
  static DatabaseClock of(Dialect dialect, Clock local) {
    return dialect == Dialect.POSTGRESQL ? postgres() : local(local);
  }

  /** The local clock: SQLite's, and the one tests set. */
  static DatabaseClock local(Clock clock) {
    return c -> clock.millis();
  }

  /** PostgreSQL's wall clock at this statement (clock_timestamp, not the transaction's start). */
  static DatabaseClock postgres() {
    return c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    };
  }
}
