package com.fulcrumscim.ops;

import com.fulcrumscim.journal.SettingStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Fulcrum answered {@code endpoint} 429 at {@code at} and asked for no call before {@code until}
 * (its {@code Retry-After}), both on the database's clock. Kept in one setting row ({@value #KEY}),
 * so that a restarted daemon, a node taking over and an operator command wait as the process that
 * met the 429 does, and {@code status} shows it: kept in that process alone, a restart inside the
 * wait called Fulcrum at once, which a real Fulcrum answers with another 429 (review-s14a F3).
 */
public record FulcrumCoolDown(Instant until, Instant at, String endpoint) {
  static final String KEY = "fulcrum.cool_down";

  /**
   * The cool-down still running at {@code now} (epoch millis on the database's clock), if any. One
   * kept at a time still to come was kept by a clock since stepped back, by as much as it likes: it
   * is not taken, where its end held every call (removals too) back for the step as well, kept
   * across restarts (review-s15b F1); Fulcrum's next 429, if it still limits, keeps a new one.
   */
  static Optional<FulcrumCoolDown> lasting(Connection c, SettingStore settings, long now) throws SQLException {
    return settings.get(c, KEY).flatMap(FulcrumCoolDown::parse).filter(d -> d.lastsAt(now));
  }

  /**
   * As {@link #lasting}, inside a write: a kept cool-down that is over is taken away, which nothing
   * did (a backup, `db copy` and the setting table went on showing a wait long past). Only the value
   * read goes: a 429 another process keeps meanwhile stays.
   */
  static Optional<FulcrumCoolDown> lastingOrGone(Connection c, SettingStore settings, long now) throws SQLException {
    Optional<String> value = settings.get(c, KEY);
    Optional<FulcrumCoolDown> kept = value.flatMap(FulcrumCoolDown::parse);
    if (kept.filter(d -> d.until().toEpochMilli() <= now).isPresent()) {
      settings.removeIfStill(c, KEY, value.get());
    }
    return kept.filter(d -> d.lastsAt(now));
  }

  private boolean lastsAt(long now) {
    return at.toEpochMilli() <= now && until.toEpochMilli() > now;
  }

  /**
   * Records this cool-down unless one lasting longer is recorded already (a later 429 may ask for
   * less); one kept at a time still to come (a clock stepped back since) gives way.
   */
  void keep(Connection c, SettingStore settings) throws SQLException {
    Optional<FulcrumCoolDown> kept = settings.get(c, KEY).flatMap(FulcrumCoolDown::parse).filter(k -> !k.at().isAfter(at));
    if (kept.isEmpty() || kept.get().until().isBefore(until)) {
      settings.write(c, Map.of(KEY, Optional.of(until.toEpochMilli() + ";" + at.toEpochMilli() + ";" + endpoint)));
    }
  }

  /** {@code until;at;endpoint}; nothing for a value this release cannot read (it then holds nothing back). */
  private static Optional<FulcrumCoolDown> parse(String value) {
    String[] parts = value.split(";", 3);
    try {
      return parts.length < 3 ? Optional.empty() : Optional.of(new FulcrumCoolDown(Instant.ofEpochMilli(Long.parseLong(parts[0])),
          Instant.ofEpochMilli(Long.parseLong(parts[1])), parts[2]));
    } catch (NumberFormatException unreadable) {
      return Optional.empty();
    }
  }
}
