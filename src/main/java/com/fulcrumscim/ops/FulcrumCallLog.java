package com.fulcrumscim.ops;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fulcrum calls per minute over the last hour, kept in SQLite so {@code fulcrum-scim status}
 * (another process) sees what the daemon spent of the hourly budget. One setting row holds the
 * rolling window as {@code epochMinute=calls,...}: no migration, at most 60 entries.
 *
 * <p>The daemon passes it to the Fulcrum client as its {@link FulcrumCallListener}. Each call
 * commits through {@link Database#write}, so Fulcrum must not be called from inside a write
 * transaction (the reconciler never does: it would stall intake).
 */
public final class FulcrumCallLog implements FulcrumCallListener {
  private static final Logger log = LoggerFactory.getLogger(FulcrumCallLog.class);
  static final String KEY = "fulcrum.calls_per_minute";
  private static final int WINDOW_MINUTES = 60;

  private final Database db;
  private final Clock clock;

  public FulcrumCallLog(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Counting must never break a call: a failure to record is logged and dropped. */
  @Override
  public void onCall(String endpoint, String status, Duration duration) {
    try {
      record();
    } catch (RuntimeException e) {
      log.warn("could not count a Fulcrum call in the database: {}", e.getMessage());
    }
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
