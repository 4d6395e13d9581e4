package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import java.time.Clock;
import java.util.Optional;

/**
 * The mass-removal guard. A removal waits for an operator when more removals are pending (queued
 * work for linked users Okta deactivated or deleted) than max(minimum, percent of managed users):
 * a misconfigured Okta assignment must not empty the Fulcrum organization. An approval lets each
 * held removal through once.
 */
public final class RemovalGuard {
  private final Database db;
  private final Clock clock;
  private final int percent;
  private final int minimum;

  public RemovalGuard(Database db, Clock clock, int percent, int minimum) {
    this.db = db;
    this.clock = clock;
    this.percent = percent;
    this.minimum = minimum;
  }

  /** Why the removal for {@code userId} must wait; empty when it may go ahead. */
  public Optional<String> holds(String userId) {
    return db.read(c -> {
      if (approved(c, userId)) {
        return Optional.empty();
      }
      int pending = count(c, "SELECT COUNT(*) FROM work w JOIN link l ON l.entity_type = 'USER' AND l.scim_id = w.entity_id "
          + "LEFT JOIN scim_user u ON u.id = w.entity_id WHERE w.entity_type = 'USER' "
          + "AND w.state IN ('PENDING', 'RUNNING', 'RETRYING', 'HELD') AND (u.id IS NULL OR u.active = 0)");
      int managed = count(c, "SELECT COUNT(*) FROM link WHERE entity_type = 'USER'");
      long threshold = Math.max(minimum, (long) Math.ceil(managed * percent / 100.0));
      if (pending <= threshold) {
        return Optional.empty();
      }
      return Optional.of(pending + " removals pending of " + managed + " managed members (guard: more than "
          + threshold + " = max(" + minimum + ", " + percent + "%)); held until `fulcrum-scim approve-removals`");
    });
  }

  /**
   * Approves every held removal once and makes those rows due. Returns how many. Safe to repeat:
   * after a crash between the two steps, running it again finishes the job.
   */
  public int approveHeld(WorkQueue queue) {
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT OR REPLACE INTO removal_approval (scim_id, approved_at) "
              + "SELECT entity_id, ? FROM work WHERE entity_type = 'USER' AND state = 'HELD'")) {
        ps.setLong(1, clock.millis());
        return ps.executeUpdate();
      }
    });
    return queue.revive(null, WorkState.HELD);
  }

  /** The approval is spent once the removal is done. */
  void consume(Connection c, String userId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM removal_approval WHERE scim_id = ?")) {
      ps.setString(1, userId);
      ps.executeUpdate();
    }
  }

  private static boolean approved(Connection c, String userId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM removal_approval WHERE scim_id = ?")) {
      ps.setString(1, userId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static int count(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }
}
