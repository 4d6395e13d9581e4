package com.fulcrumscim.ops;

import com.fulcrumscim.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Fulcrum calls per minute over the last hour, kept in SQLite so {@code fulcrum-scim status}
 * (another process) sees what the daemon spent of the hourly budget. One setting row holds the
 * rolling window as {@code epochMinute=calls,...}: no migration, at most 60 entries.
 *
 * <p>The daemon calls {@link #record} from the Fulcrum client's call listener. It commits through
 * {@link Database#write}, so it must not be called from inside a write transaction.
 */
public final class FulcrumCallLog {
  static final String KEY = "fulcrum.calls_per_minute";
  private static final int WINDOW_MINUTES = 60;

  private final Database db;
  private final Clock clock;

  public FulcrumCallLog(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** One call was made to Fulcrum (whatever its answer: every call counts against the budget). */
  public void record() {
    long minute = currentMinute();
    db.write(c -> {
      Map<Long, Long> window = window(c, minute);
      window.merge(minute, 1L, Long::sum);
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
        ps.setString(1, KEY);
        ps.setString(2, window.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Calls made in the last 60 minutes, this one included. */
  public long lastHour() {
    long minute = currentMinute();
    return db.read(c -> window(c, minute).values().stream().mapToLong(Long::longValue).sum());
  }

  private long currentMinute() {
    return clock.millis() / 60_000;
  }

  /** The stored counts still inside the window ending at {@code minute}. */
  private static Map<Long, Long> window(Connection c, long minute) throws SQLException {
    Map<Long, Long> window = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT value FROM setting WHERE key = ?")) {
      ps.setString(1, KEY);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null) {
          return window;
        }
        for (String entry : rs.getString(1).split(",")) {
          String[] parts = entry.split("=");
          if (parts.length == 2) {
            long at = Long.parseLong(parts[0].strip());
            if (at > minute - WINDOW_MINUTES) {
              window.put(at, Long.parseLong(parts[1].strip()));
            }
          }
        }
      }
    }
    return window;
  }
}
