package com.fulcrumscim.ops;

import com.fulcrumscim.db.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.Optional;

/**
 * Whether the bridge can do its job right now: the database takes a durable write, and the
 * reconciler is not paused. Feeds {@code /readyz}.
 */
public final class Readiness {
  static final String PROBE_KEY = "ops.readyz_probe";

  /** The answer: {@code reason} is empty when ready. */
  public record Verdict(Optional<String> reason) {
    public boolean ready() {
      return reason.isEmpty();
    }
  }

  private final Database db;
  private final Clock clock;

  public Readiness(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Verdict check() {
    try {
      // A real commit through the writer: a full disk, a read-only mount or a stuck writer shows here.
      Optional<String> paused = db.write(c -> {
        String stamp = Long.toString(clock.millis());
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
          ps.setString(1, PROBE_KEY);
          ps.setString(2, stamp);
          ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM setting WHERE key = ?")) {
          ps.setString(1, PROBE_KEY);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || !stamp.equals(rs.getString(1))) {
              throw new IllegalStateException("the probe row did not read back");
            }
          }
        }
        return OpsStore.pauseReason(c);
      });
      return new Verdict(paused.map(reason -> "reconciler paused: " + reason));
    } catch (RuntimeException e) {
      return new Verdict(Optional.of("database not writable: " + e.getMessage()));
    }
  }
}
