package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * Whether Fulcrum refused the token, kept in the setting table ({@value #KEY}) so that status,
 * /readyz and a restarted daemon all see it.
 */
public final class Pause {
  public static final String KEY = "reconciler.paused";

  private final Database db;

  public Pause(Database db) {
    this.db = db;
  }

  /** Why the reconciler is paused; empty when it runs. */
  public Optional<String> reason() {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT value FROM setting WHERE key = ?")) {
        ps.setString(1, KEY);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  void pause(String reason) {
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
        ps.setString(1, KEY);
        ps.setString(2, reason);
        return ps.executeUpdate();
      }
    });
  }

  void resume() {
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM setting WHERE key = ?")) {
        ps.setString(1, KEY);
        return ps.executeUpdate();
      }
    });
  }
}
