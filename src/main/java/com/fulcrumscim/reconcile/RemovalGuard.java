package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import com.fulcrumscim.config.BridgeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mass-removal guard. A removal waits for an operator when the removals made in the trailing
 * {@code window} plus those pending (queued work for linked users Okta deactivated or deleted,
 * this one included) exceed max(minimum, percent of managed users): a misconfigured Okta
 * assignment must not empty the Fulcrum organization, whether it lands at once or trickles in.
 * An approval lets each held removal through once.
 */
public final class RemovalGuard {
  private final Database db;
  private final Clock clock;
  private final int percent;
  private final int minimum;
  private final Duration window;

  public RemovalGuard(Database db, Clock clock, int percent, int minimum, Duration window) {
    this.db = db;
    this.clock = clock;
    this.percent = percent;
    this.minimum = minimum;
    this.window = window;
  }

  public RemovalGuard(Database db, Clock clock, BridgeConfig.Guard config) {
    this(db, clock, config.massRemovalPercent(), config.massRemovalMinimum(), config.window());
  }

  /** Why the removal for {@code userId} must wait; empty when it may go ahead. */
  public Optional<String> holds(String userId) {
    return db.read(c -> approved(c, userId) ? Optional.<String>empty() : exceeded(c, 0)
        .map(why -> why + "; held until `fulcrum-scim approve-removals`"));
  }

  /**
   * Why {@code removals} more removals at once, on top of those made and pending, must wait; empty
   * when they may go ahead. For removals that no work row carries (a resync's orphans), so none
   * can have been approved.
   */
  public Optional<String> holdsMore(int removals) {
    return db.read(c -> exceeded(c, removals));
  }

  private Optional<String> exceeded(Connection c, int more) throws SQLException {
    int pending = count(c, "SELECT COUNT(*) FROM work w JOIN link l ON l.entity_type = 'USER' AND l.scim_id = w.entity_id "
        + "LEFT JOIN scim_user u ON u.id = w.entity_id WHERE w.entity_type = 'USER' "
        + "AND w.state IN ('PENDING', 'RUNNING', 'RETRYING', 'HELD') AND (u.id IS NULL OR u.active = 0)") + more;
    int recent = count(c, "SELECT COUNT(*) FROM reconcile_audit WHERE at > "
        + clock.instant().minus(window).toEpochMilli() + " AND action = 'REMOVE_MEMBER' AND result = 'ok'");
    int managed = count(c, "SELECT COUNT(*) FROM link WHERE entity_type = 'USER'");
    long threshold = Math.max(minimum, (long) Math.ceil((managed + recent) * percent / 100.0));
    if (recent + pending <= threshold) {
      return Optional.empty();
    }
    return Optional.of(recent + " removals in the last " + window.toString().substring(2).toLowerCase(Locale.ROOT)
        + " and " + pending + " pending, of " + (managed + recent) + " managed members (guard: more than "
        + threshold + " = max(" + minimum + ", " + percent + "%) per guard.window)");
  }

  /**
   * A removal the guard holds, as an operator's command read it: the user, and its work row's
   * {@code created_at} (when the held change arrived), which tells this removal from a later one.
   */
  public record Held(String userId, long createdAt) {}

  /** The removals held now, oldest first. */
  public List<Held> held() {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT entity_id, created_at FROM work WHERE entity_type = 'USER' "
          + "AND state = 'HELD' ORDER BY created_at, entity_id"); ResultSet rs = ps.executeQuery()) {
        List<Held> held = new ArrayList<>();
        while (rs.next()) {
          held.add(new Held(rs.getString(1), rs.getLong(2)));
        }
        return held;
      }
    });
  }

  /**
   * Approves once, and makes due, the removals of {@code seen} still held as the operator's command
   * read them; returns those. Only those: the command is carried out later (by the daemon, after the
   * requests before it), and a removal storm held meanwhile is exactly what the guard is for. Safe
   * to repeat: after a crash between the two steps, running it again finishes the job.
   */
  public List<Held> approveHeld(WorkQueue queue, List<Held> seen) {
    List<Held> approved = db.write(c -> {
      List<Held> still = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          // approved_at is the held change's own time, not this node's clock: approved() compares it
          // with the row's created_at, which the node that accepted the change stamped
          "INSERT INTO removal_approval (scim_id, approved_at) "
              + "SELECT entity_id, created_at FROM work WHERE entity_type = 'USER' AND state = 'HELD' "
              + "AND entity_id = ? AND created_at = ? ON CONFLICT (scim_id) DO UPDATE SET approved_at = excluded.approved_at")) {
        for (Held h : seen) {
          ps.setString(1, h.userId());
          ps.setLong(2, h.createdAt());
          if (ps.executeUpdate() > 0) {
            still.add(h);
          }
        }
      }
      return still;
    });
    // a row whose change was replaced after this approval is held again: approved() compares created_at
    return approved.stream().filter(h -> queue.revive(new ResourceKey(EntityType.USER, h.userId()), WorkState.HELD) > 0)
        .toList();
  }

  /** The approval is spent once the removal is done. */
  void consume(Connection c, String userId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM removal_approval WHERE scim_id = ?")) {
      ps.setString(1, userId);
      ps.executeUpdate();
    }
  }

  /**
   * An approval covers the removal held when it was given: a change Okta sent after it (the user
   * reactivated, then deactivated again a month later) starts a new removal, which the guard
   * counts again. The work row's {@code created_at} is when its oldest unapplied change arrived;
   * an approval records the held row's own.
   */
  private static boolean approved(Connection c, String userId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM removal_approval a JOIN work w ON w.entity_type = 'USER' "
        + "AND w.entity_id = a.scim_id WHERE a.scim_id = ? AND a.approved_at >= w.created_at")) {
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
