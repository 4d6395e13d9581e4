package com.fulcrumscim.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finishes V018 in its transaction: its SQL keyed every user's email as SQL folds it (ASCII letters,
 * spaces trimmed); this folds each in Java ({@link FoldKey}) and rewrites the keys that differ. All
 * rows are read, few are written (an address with a non-ASCII capital, or other white space around
 * it), so 100,000 users cost one read of their emails, not 100,000 updates.
 */
final class EmailKeyBackfill {
  /** Rewrites sent to the database at a time. */
  private static final int BATCH = 1000;

  private EmailKeyBackfill() {}

  static void run(Connection c) throws SQLException {
    // read whole before writing: on SQLite, rows updated under an open scan of their table may be
    // visited again or skipped
    Map<Long, String> wrong = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT seq, email, email_key FROM scim_user WHERE email IS NOT NULL");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String key = FoldKey.of(rs.getString(2));
        if (!key.equals(rs.getString(3))) {
          wrong.put(rs.getLong(1), key);
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE scim_user SET email_key = ? WHERE seq = ?")) {
      int pending = 0;
      for (Map.Entry<Long, String> e : wrong.entrySet()) {
        ps.setString(1, e.getValue());
        ps.setLong(2, e.getKey());
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
