package com.fulcrumscim.journal;

import com.fulcrumscim.db.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/** The setting table: small facts that must survive a restart. */
public final class SettingStore {
  private final Database db;

  public SettingStore(Database db) {
    this.db = db;
  }

  public Optional<String> get(String key) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT value FROM setting WHERE key = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  public void put(String key, String value) {
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
        ps.setString(1, key);
        ps.setString(2, value);
        return ps.executeUpdate();
      }
    });
  }
}
