package com.fulcrumscim.reliability;

import com.fulcrumscim.db.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.HexFormat;

/** The journal's row count and a SHA-256 over every row of the desired-state and work tables. */
record StateFingerprint(long journalRows, String desiredHash) {
  private static final String[] TABLES = {
    "SELECT * FROM scim_user ORDER BY id", "SELECT * FROM scim_group ORDER BY id",
    "SELECT * FROM scim_group_member ORDER BY group_id, user_id", "SELECT * FROM work ORDER BY entity_type, entity_id",
  };

  static StateFingerprint of(Path database) {
    try (Database db = Database.open(database)) {
      return db.read(c -> {
        MessageDigest sha;
        try {
          sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
        for (String sql : TABLES) {
          try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
              for (int i = 1; i <= meta.getColumnCount(); i++) {
                sha.update(String.valueOf(rs.getObject(i)).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
              }
              sha.update((byte) '\n');
            }
          }
        }
        try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM journal")) {
          rs.next();
          return new StateFingerprint(rs.getLong(1), HexFormat.of().formatHex(sha.digest()));
        }
      });
    }
  }
}
