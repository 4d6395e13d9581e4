package com.fulcrumscim.journal;

import com.fulcrumscim.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The setting table: small facts that must survive a restart. */
public final class SettingStore {
  private final Database db;

  public SettingStore(Database db) {
    this.db = db;
  }

  public Optional<String> get(String key) {
    return db.read(c -> get(c, key));
  }

  /** {@link #get(String)} in the caller's transaction. */
  public Optional<String> get(Connection c, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT value FROM setting WHERE key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /**
   * Removes {@code key} and returns the value it had, in the caller's transaction: of two
   * transactions taking one key at once (two nodes), only one gets the value.
   */
  public Optional<String> take(Connection c, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM setting WHERE key = ? RETURNING value")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** The keys that begin with {@code prefix}, in key order. */
  public List<String> keysStartingWith(String prefix) {
    return db.read(c -> keysStartingWith(c, prefix));
  }

  /** {@link #keysStartingWith(String)} in the caller's transaction. */
  public List<String> keysStartingWith(Connection c, String prefix) throws SQLException {
    // substr, not LIKE: a key may hold '_' or '%', which LIKE would take for wildcards
    try (PreparedStatement ps = c.prepareStatement("SELECT key FROM setting WHERE substr(key, 1, ?) = ? ORDER BY key")) {
      ps.setInt(1, prefix.length());
      ps.setString(2, prefix);
      List<String> keys = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
      return keys;
    }
  }

  public void put(String key, String value) {
    write(Map.of(key, Optional.of(value)));
  }

  /** Sets each key to its value, or removes it where the value is empty, in one transaction. */
  public void write(Map<String, Optional<String>> values) {
    db.write(c -> {
      write(c, values);
      return null;
    });
  }

  /** {@link #write(Map)}, failing once it has waited {@code bound} for the database (Database#write). */
  public void write(Map<String, Optional<String>> values, Duration bound) {
    db.write(c -> {
      write(c, values);
      return null;
    }, bound);
  }

  /**
   * Sets {@code key} to {@code value}, and {@code with} too, unless {@code key} holds a value
   * already; answers what {@code key} holds then. Of two nodes doing it at once the first to commit
   * wins: the other's insert waits for that commit (a write is READ COMMITTED), then finds the key
   * taken and reads the winner's value.
   */
  public Optional<String> putIfAbsent(String key, String value, Map<String, Optional<String>> with) {
    return db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")) {
        ps.setString(1, key);
        ps.setString(2, value);
        if (ps.executeUpdate() == 1) {
          write(c, with);
          return Optional.of(value);
        }
      }
      return get(c, key);
    });
  }

  /** Removes {@code key} and {@code with} if {@code key} still holds {@code value}: what another wrote since stays. */
  public void removeIfStill(String key, String value, List<String> with) {
    db.write(c -> {
      if (removeIfStill(c, key, value)) {
        Map<String, Optional<String>> removed = new HashMap<>();
        with.forEach(k -> removed.put(k, Optional.empty()));
        write(c, removed);
      }
      return null;
    });
  }

  /** Removes {@code key} if it still holds {@code value}, in the caller's transaction; whether it did. */
  public boolean removeIfStill(Connection c, String key, String value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM setting WHERE key = ? AND value = ?")) {
      ps.setString(1, key);
      ps.setString(2, value);
      return ps.executeUpdate() == 1;
    }
  }

  /** {@link #write(Map)} in the caller's transaction. */
  public void write(Connection c, Map<String, Optional<String>> values) throws SQLException {
    try (PreparedStatement put = c.prepareStatement(
            "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        PreparedStatement delete = c.prepareStatement("DELETE FROM setting WHERE key = ?")) {
      for (Map.Entry<String, Optional<String>> e : values.entrySet()) {
        if (e.getValue().isPresent()) {
          put.setString(1, e.getKey());
          put.setString(2, e.getValue().get());
          put.executeUpdate();
        } else {
          delete.setString(1, e.getKey());
          delete.executeUpdate();
        }
      }
    }
  }
}
