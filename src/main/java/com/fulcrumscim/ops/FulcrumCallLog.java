package com.fulcrumscim.ops;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.fulcrum.BeforeSend;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.journal.SettingStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Fulcrum call budget shared by every node and process on one database: calls per minute over
 * the trailing hour, in the database, each recorded before it is sent. A node that takes over from
 * a dead leader therefore spends only what the dead one left of the hour, and {@code fulcrum-scim
 * status} (another process) sees what was spent. One setting row holds the window as
 * {@code epochMinute=calls,...} (at most 61 entries), on the database's clock. Fulcrum's own 429
 * holds every process back alike ({@link FulcrumCoolDown}).
 *
 * <p>The window is counted conservatively: the trailing hour at any moment overlaps 61 calendar
 * minutes, and all 61 count, so no sliding hour (Fulcrum's) can hold more than the budget.
 * Fulcrum must not be called from inside a write transaction (the reconciler never does: it would
 * stall intake), since each call commits its own.
 */
public final class FulcrumCallLog implements BeforeSend {
  static final String KEY = "fulcrum.calls_per_minute";
  private static final int WINDOW_MINUTES = 61;
  private static final long MINUTE = 60_000;

  private static final Logger log = LoggerFactory.getLogger(FulcrumCallLog.class);

  private final Database db;
  private final SettingStore settings;
  private final DatabaseClock clock;
  private final int callsPerHour;

  /** For reading what was spent and what holds calls back, with no budget of its own to refuse by. */
  public FulcrumCallLog(Database db, Clock clock) {
    this(db, DatabaseClock.of(db, clock), Integer.MAX_VALUE);
  }

  public FulcrumCallLog(Database db, DatabaseClock clock, int callsPerHour) {
    this.db = db;
    this.settings = new SettingStore(db);
    this.clock = clock;
    this.callsPerHour = callsPerHour;
  }

  /**
   * Records the call about to be sent, or refuses it: {@link FulcrumException.RateLimited} while a
   * 429's cool-down any process recorded lasts ({@link #rateLimited}), and while the trailing hour
   * holds the whole budget (until its oldest minute leaves); {@link FulcrumException.Unavailable}
   * when it cannot be recorded (an unrecorded call could overspend the budget another node counts on).
   */
  @Override
  public void check(String endpoint) {
    Optional<FulcrumException.RateLimited> refused;
    try {
      refused = db.write(c -> {
        long now = clock.millis(c);
        Optional<FulcrumCoolDown> cooling = FulcrumCoolDown.lastingOrGone(c, settings, now);
        if (cooling.isPresent()) {
          return Optional.of(FulcrumException.RateLimited.notSent(endpoint, FulcrumException.RateLimited.Limit.FULCRUM,
              Duration.ofMillis(cooling.get().until().toEpochMilli() - now)));
        }
        return reserve(c).map(wait -> FulcrumException.RateLimited.notSent(endpoint,
            FulcrumException.RateLimited.Limit.CALL_BUDGET, wait));
      });
    } catch (RuntimeException e) {
      throw new FulcrumException.Unavailable(endpoint, "not sent: the call could not be recorded in the shared call log: "
          + e.getMessage(), e);
    }
    if (refused.isPresent()) {
      throw refused.get();
    }
  }

  /**
   * Keeps Fulcrum's cool-down where every process on this database honours it ({@link
   * FulcrumCoolDown}). One that cannot be kept is a WARN line: this process still honours it.
   */
  @Override
  public void rateLimited(String endpoint, Duration retryAfter) {
    try {
      db.write(c -> {
        Instant now = Instant.ofEpochMilli(clock.millis(c));
        new FulcrumCoolDown(now.plus(retryAfter), now, endpoint).keep(c, settings);
        return null;
      });
    } catch (RuntimeException e) {
      log.warn("{}: could not keep Fulcrum's 429 cool-down of {} s in the database ({}): this process honours it, a"
          + " restart or another node would not", endpoint, retryAfter.toSeconds(), e.getMessage());
    }
  }

  /** Fulcrum's cool-down still running, as a process on this database last kept it (status). */
  public Optional<FulcrumCoolDown> coolDown() {
    return db.read(c -> FulcrumCoolDown.lasting(c, settings, clock.millis(c)));
  }

  /** How long Fulcrum's cool-down still runs, as {@link #coolDown}; zero when none (the gauge). */
  public Duration coolDownLeft() {
    return db.read(c -> {
      long now = clock.millis(c);
      return FulcrumCoolDown.lasting(c, settings, now).map(d -> Duration.ofMillis(d.until().toEpochMilli() - now))
          .orElse(Duration.ZERO);
    });
  }

  /** When a call is free again while the trailing hour holds the whole budget; empty while calls go (status). */
  public Optional<Instant> spentUntil() {
    return db.read(c -> {
      long now = clock.millis(c);
      return wait(window(c, now / MINUTE), now).map(wait -> Instant.ofEpochMilli(now).plus(wait));
    });
  }

  /** Counts one call now unless the budget is spent; empty when counted, else how long until a call frees. */
  public Optional<Duration> reserve() {
    return db.write(this::reserve);
  }

  private Optional<Duration> reserve(Connection c) throws SQLException {
    lockRow(c);
    long now = clock.millis(c);
    long minute = now / MINUTE;
    Map<Long, Long> window = window(c, minute);
    Optional<Duration> wait = wait(window, now);
    if (wait.isEmpty()) {
      window.merge(minute, 1L, Long::sum);
      try (PreparedStatement ps = c.prepareStatement("UPDATE setting SET value = ? WHERE key = ?")) {
        ps.setString(1, window.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
        ps.setString(2, KEY);
        ps.executeUpdate();
      }
    }
    return wait;
  }

  /** How long until the oldest minute of a {@code window} holding the whole budget leaves it; empty: a call may go. */
  private Optional<Duration> wait(Map<Long, Long> window, long now) {
    long used = window.values().stream().mapToLong(Long::longValue).sum();
    if (used < callsPerHour) {
      return Optional.empty();
    }
    long oldest = window.keySet().iterator().next();
    return Optional.of(Duration.ofMillis(Math.max(1_000, (oldest + WINDOW_MINUTES) * MINUTE - now)));
  }

  /** Calls made in the trailing hour (counted as {@link FulcrumCallLog} does), by any node. */
  public long lastHour() {
    return db.read(c -> window(c, clock.millis(c) / MINUTE).values().stream().mapToLong(Long::longValue).sum());
  }

  /** The trailing hour's calls, each placed at the end of its minute: what a new leader's gauges start from. */
  public List<Instant> trailingHour() {
    return db.read(c -> {
      List<Instant> out = new ArrayList<>();
      window(c, clock.millis(c) / MINUTE).forEach((minute, calls) -> {
        for (long i = 0; i < calls; i++) {
          out.add(Instant.ofEpochMilli((minute + 1) * MINUTE - 1));
        }
      });
      return out;
    });
  }

  /**
   * Creates the row, or locks it on engines with row locks, before it is read: two writers then
   * count one after the other, never both from the same old value.
   */
  private static void lockRow(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO setting (key, value) VALUES (?, '') ON CONFLICT (key) DO UPDATE SET value = setting.value")) {
      ps.setString(1, KEY);
      ps.executeUpdate();
    }
  }

  /** The stored counts still inside the window ending at {@code minute}, oldest first. */
  private static Map<Long, Long> window(Connection c, long minute) throws SQLException {
    Map<Long, Long> window = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT value FROM setting WHERE key = ?")) {
      ps.setString(1, KEY);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null || rs.getString(1).isBlank()) {
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
