package com.fulcrumscim.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Rows of the setting table, the simplest table both stores have: what the Database tests write and read. */
final class SettingRows {
  private SettingRows() {}

  /** Inserts key {@code k} with value {@code v}; null, so it serves as a write's whole work. */
  static Object setting(Connection c, String k, String v) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO setting(key, value) VALUES (?, ?)")) {
      ps.setString(1, k);
      ps.setString(2, v);
      ps.executeUpdate();
    }
    return null;
  }

  /** The value of key {@code k}; null when there is no such row. */
  static String value(Connection c, String k) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT value FROM setting WHERE key = ?")) {
      ps.setString(1, k);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  static int count(Database db) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM setting"); ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }
}
