package com.fulcrumscim.ops;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.reconcile.Person;
import com.fulcrumscim.restore.IncompleteCarry;
import com.fulcrumscim.resync.LastResync;
import com.fulcrumscim.resync.Resync;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only questions operators ask of the work, journal and setting tables. Safe while the daemon
 * runs: every query goes through {@link Database#read}, and SQLite's WAL lets a second process read
 * while the daemon writes.
 */
public final class OpsStore {
  /**
   * Setting the reconciler writes while it is paused: the reason, in words an operator can act on.
   * Absent or empty means running.
   */
  public static final String PAUSE_KEY = "reconciler.paused";

  /** The reconciler is paused ({@link #PAUSE_KEY}). */
  private static final String PAUSED = "EXISTS (SELECT 1 FROM setting WHERE key = '" + PAUSE_KEY + "' AND trim(value) <> '')";
  /** A row the reconciler has not finished: pending, retrying, or in flight. */
  private static final String UNFINISHED = "state IN ('PENDING', 'RETRYING', 'RUNNING')";
  /** An unfinished removal that has failed, through Okta's later changes while it stays one (see {@link #failingRemovals()}). */
  private static final String FAILING_REMOVAL = UNFINISHED + " AND removal = 1 AND attempts > 0";
  /**
   * An unfinished removal none of whose attempts failed, while the reconciler is paused (it is not
   * tried, and an attempt the pause cut short spends nothing), or one a rate limit held back, which
   * spends no attempt but starts the retry budget (see {@link #waitingRemovals()}).
   */
  private static final String WAITING_REMOVAL = UNFINISHED + " AND removal = 1 AND attempts = 0"
      + " AND (first_failure_at IS NOT NULL OR " + PAUSED + ")";
  /**
   * Why a {@link #WAITING_REMOVAL} waits, the reason that holds now first: the pause ("not tried" was
   * false for the row whose attempt the 401 cut short, which spent no attempt either, review-s13e F5),
   * then a rate limit's hold, which its last error names. A row held back before the pause keeps that
   * error, which alone said a limit held it while nothing could be tried until the pause ended (review-s14b F4).
   */
  private static final String WAITING_WHY = "CASE WHEN " + PAUSED + " THEN 'waiting for the reconciler''s pause to end'"
      + " || CASE WHEN first_failure_at IS NULL THEN '' ELSE '; held back by a rate limit before it: ' || last_error END"
      + " ELSE last_error END";

  /** One accepted SCIM change as the receiver journaled it. */
  public record JournalEntry(long id, Instant receivedAt, String requestId, String op, String body) {}

  private final Database db;

  public OpsStore(Database db) {
    this.db = db;
  }

  public Optional<String> pauseReason() {
    return db.read(c -> pauseReason(c));
  }

  /** {@link #pauseReason()}, failing rather than waiting much longer than {@code bound} (a probe's read). */
  public Optional<String> pauseReason(Duration bound) {
    return db.read(c -> pauseReason(c), bound);
  }

  /** When Fulcrum last accepted a write from the reconciler. */
  public Optional<Instant> lastApplied() {
    return new AuditLog(db, Clock.systemUTC()).lastApplied();
  }

  /** Orphan member removals the mass-removal guard held at the latest resync apply (0: none). */
  public long heldOrphanRemovals() {
    return Resync.heldOrphanRemovals(new SettingStore(db));
  }

  /** People Okta deactivated or deleted who still had access at the latest resync apply (0: none). */
  public long keepingAccess() {
    return Resync.keepingAccess(new SettingStore(db));
  }

  /** When the resync apply that found {@link #keepingAccess()} finished (empty: none yet, or before this release). */
  public Optional<Instant> keepingAccessAt() {
    return Resync.keepingAccessAt(new SettingStore(db));
  }

  /**
   * Whether a restore's carry forward is incomplete and no operator has acknowledged it yet
   * ({@link IncompleteCarry}): one setting read, cheap enough for every metrics scrape.
   */
  public boolean restoreCarryIncomplete() {
    return IncompleteCarry.current(db).isPresent();
  }

  /**
   * DEAD rows whose change takes access away (a user deactivated or deleted, members taken out of
   * a group): deprovisionings that gave up, whose people keep access until an operator acts. One
   * range of the state index, cheap enough for every metrics scrape.
   */
  public long deadRemovals() {
    return rows("state = 'DEAD' AND removal = 1");
  }

  /**
   * Removals not made yet whose last attempts failed (Fulcrum erred, or answered yet kept the member):
   * their people keep access while the row retries, up to the retry budget, before it is DEAD. A
   * new change from Okta starts its count again only once it is no removal (WorkQueue's enqueue). Cheap enough for every metrics scrape.
   */
  public long failingRemovals() {
    return rows(FAILING_REMOVAL);
  }

  /**
   * The first {@code limit} of {@link #failingRemovals()}, longest failing first, each error led by
   * who keeps access ({@link Person}), as a DEAD deprovisioning's reason is.
   */
  public List<StatusReport.Row> failingRemovals(int limit) {
    return removals(FAILING_REMOVAL, "first_failure_at", "last_error", limit);
  }

  /**
   * Removals waiting on the reconciler's pause (a refused token) or held back by a rate limit
   * (Fulcrum's 429, the call budget) that no failed attempt counts among {@link #failingRemovals()}:
   * neither spends an attempt, yet their people keep access meanwhile. Cheap enough for every
   * metrics scrape.
   */
  public long waitingRemovals() {
    return rows(WAITING_REMOVAL);
  }

  /** The first {@code limit} of {@link #waitingRemovals()}, longest waiting first, each led by the person. */
  public List<StatusReport.Row> waitingRemovals(int limit) {
    return removals(WAITING_REMOVAL, "created_at", WAITING_WHY, limit);
  }

  /** Work rows {@code where} says. */
  private long rows(String where) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM work WHERE " + where);
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  private List<StatusReport.Row> removals(String where, String since, String error, int limit) {
    return db.read(c -> {
      List<StatusReport.Row> out = new ArrayList<>();
      Person person = new Person(db);
      try (PreparedStatement ps = c.prepareStatement("SELECT entity_type, entity_id, attempts, " + error + ", " + since
          + " FROM work WHERE " + where + " ORDER BY " + since + ", entity_type, entity_id LIMIT ?")) {
        ps.setInt(1, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ResourceKey key = new ResourceKey(EntityType.valueOf(rs.getString(1)), rs.getString(2));
            out.add(new StatusReport.Row(key.toString(), rs.getInt(3), person.of(c, key) + ": " + rs.getString(4),
                Instant.ofEpochMilli(rs.getLong(5))));
          }
        }
      }
      return out;
    });
  }

  /** When the last scheduled resync finished, whatever it found. */
  public Optional<Instant> lastResyncFinished() {
    return LastResync.kept(new SettingStore(db)).map(LastResync::finishedAt);
  }

  static Optional<String> pauseReason(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT value FROM setting WHERE key = ?")) {
      ps.setString(1, PAUSE_KEY);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)).filter(v -> !v.isBlank()) : Optional.empty();
      }
    }
  }

  /** Rows in {@code state}; one index range count, cheap enough for every metrics scrape. */
  public long count(WorkState state) {
    return db.read(c -> count(c, state));
  }

  /** Rows in each state, counted in one read: the counts add up, though rows move on meanwhile. */
  public Map<WorkState, Long> countsByState() {
    return db.read(c -> {
      Map<WorkState, Long> counts = new EnumMap<>(WorkState.class);
      for (WorkState state : WorkState.values()) {
        counts.put(state, count(c, state));
      }
      return counts;
    });
  }

  private static long count(Connection c, WorkState state) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM work WHERE state = ?")) {
      ps.setString(1, state.name());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Since when the oldest unfinished change has waited: when Okta was told it was accepted. Not its
   * last attempt or last failure: a row that Fulcrum keeps rate limiting (which spends no attempt)
   * must age, or the alert on this age never fires. A newer change to a row that is already
   * waiting does not make it younger.
   */
  public Optional<Instant> oldestUnfinishedSince() {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT min(created_at) FROM work WHERE " + UNFINISHED);
          ResultSet rs = ps.executeQuery()) {
        long at = rs.next() ? rs.getLong(1) : 0;
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(at));
      }
    });
  }

  /** Journal rows of {@code key}, newest first. */
  public List<JournalEntry> journal(ResourceKey key, int limit) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, received_at, request_id, op, body FROM journal WHERE entity_type = ? AND entity_id = ? "
              + "ORDER BY id DESC LIMIT ?")) {
        ps.setString(1, key.type().name());
        ps.setString(2, key.scimId());
        ps.setInt(3, limit);
        List<JournalEntry> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new JournalEntry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3),
                rs.getString(4), rs.getString(5)));
          }
        }
        return out;
      }
    });
  }
}
