package com.fulcrumscim.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Finishes V018 in its transaction: its SQL keyed every user's email as SQL folds it (ASCII letters,
 * spaces trimmed); this folds each in Java ({@link FoldKey}) and rewrites the keys that differ. The
 * older key columns, which V012 and V017 filled with SQL's lower(trim()) as well (scim_user and
 * user_tombstone's left_with_key, member_address.email_key), are folded again from the key stored:
 * SQL lowered ASCII letters only, which stay letters of the same kind (cased, so Greek final sigma
 * reads the same), so the fold of that key is the fold of the address it was made from (review-s17b
 * F2). All rows are read, few are written (an address with a non-ASCII capital, or other white space
 * around it), so 100,000 users cost one read of their emails, not 100,000 updates.
 */
final class EmailKeyBackfill {
  /** Rewrites sent to the database at a time. */
  private static final int BATCH = 1000;
  /**
   * Rows read from the database at a time: PostgreSQL's driver reads a whole result into memory
   * unless given a fetch size (with autocommit off, as in a migration); SQLite steps through it anyway.
   */
  private static final int FETCH = 1000;

  private EmailKeyBackfill() {}

  static void run(Connection c) throws SQLException {
    rekey(c, "scim_user", "seq", "email", "email_key");
    rekey(c, "scim_user", "seq", "left_with_key", "left_with_key");
    rekey(c, "user_tombstone", "scim_id", "left_with_key", "left_with_key");
    rekey(c, "member_address", "scim_id", "email_key", "email_key");
  }

  /**
   * Writes {@code key} of each row of {@code table} (named by {@code row}) whose {@code key} is not
   * the fold of its {@code source}. member_address's key is part of its primary key: the old key's
   * row goes and the new one is inserted, kept once when a user had both.
   */
  private static void rekey(Connection c, String table, String row, String source, String key) throws SQLException {
    // read whole before writing: on SQLite, rows updated under an open scan of their table may be
    // visited again or skipped
    List<Object[]> wrong = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT " + row + ", " + source + ", " + key + " FROM " + table + " WHERE " + source + " IS NOT NULL")) {
      ps.setFetchSize(FETCH);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String folded = FoldKey.of(rs.getString(2));
          if (!folded.equals(rs.getString(3))) {
            wrong.add(new Object[] {rs.getObject(1), folded, rs.getString(3)});
          }
        }
      }
    }
    if (table.equals("member_address")) {
      batch(c, "DELETE FROM member_address WHERE scim_id = ? AND email_key = ?", wrong, 0, 2);
      batch(c, "INSERT INTO member_address (scim_id, email_key) VALUES (?, ?) ON CONFLICT (scim_id, email_key) DO NOTHING",
          wrong, 0, 1);
    } else {
      batch(c, "UPDATE " + table + " SET " + key + " = ? WHERE " + row + " = ?", wrong, 1, 0);
    }
  }

  /** Runs {@code sql} once per row of {@code rows}, bound with the row's {@code first} and {@code second} values. */
  private static void batch(Connection c, String sql, List<Object[]> rows, int first, int second) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int pending = 0;
      for (Object[] row : rows) {
        ps.setObject(1, row[first]);
        ps.setObject(2, row[second]);
        ps.addBatch();
        if (++pending == BATCH) {
          ps.executeBatch();
          pending = 0;
        }
      }
      if (pending > 0) {
        ps.executeBatch();
      }
    }
  }
}
