package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The reconcile_audit table: every Fulcrum write the reconciler attempted, newest last. */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private final Database db;
  private final Clock clock;

  public AuditLog(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /**
   * The entry of one attempted write, for a transaction of the caller's to insert. It is made when
   * the write was done: the operator's log line is printed now, once, and the row keeps this moment,
   * although the reconciler commits a key's entries with its outcome, after all of its calls, and
   * writes them a second time (in the failure that replaces the outcome) when that cannot commit.
   */
  Database.Work<Void> entry(ResourceKey key, Action.Kind action, String fulcrumId, String result, String detail) {
    return entry(key, action, fulcrumId, result, detail, clock.instant());
  }

  /**
   * As {@link #entry(ResourceKey, Action.Kind, String, String, String)}, for a write done {@code when}:
   * a member removal's DELETE, whose check comes after the cycle's other DELETEs.
   */
  Database.Work<Void> entry(ResourceKey key, Action.Kind action, String fulcrumId, String result, String detail, Instant when) {
    long at = when.toEpochMilli();
    // The operator's line per Fulcrum write; detail is what was sent (fields, counts), never a credential.
    log.info("Fulcrum {} {} (Fulcrum id {}): {}{}", action, key, fulcrumId == null ? "-" : fulcrumId, result,
        detail == null || detail.isBlank() ? "" : " [" + detail + "]");
    return c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO reconcile_audit "
          + "(at, entity_type, scim_id, action, fulcrum_id, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setLong(1, at);
        ps.setString(2, key.type().name());
        ps.setString(3, key.scimId());
        ps.setString(4, action.name());
        ps.setString(5, fulcrumId);
        ps.setString(6, result);
        ps.setString(7, detail);
        ps.executeUpdate();
      }
      return null;
    };
  }

  /** One attempted write on its own (resync removing an orphan); the reconciler's own go with their link change. */
  public void record(ResourceKey key, Action.Kind action, String fulcrumId, String result, String detail) {
    db.write(entry(key, action, fulcrumId, result, detail));
  }

  /** Newest first, at or after {@code since} (null: any time), at most {@code limit}. */
  public List<AuditEntry> list(Instant since, int limit) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, at, entity_type, scim_id, action, fulcrum_id, result, detail FROM reconcile_audit "
              + "WHERE at >= ? ORDER BY id DESC LIMIT ?")) {
        ps.setLong(1, since == null ? Long.MIN_VALUE : since.toEpochMilli());
        ps.setInt(2, limit);
        List<AuditEntry> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(entry(rs));
          }
        }
        return out;
      }
    });
  }

  /**
   * The Fulcrum ids of {@code type} the reconciler made its own, each with the key it was for: a
   * create Fulcrum accepted, or a link (an adopted entity, or one whose create's answer was lost
   * and that its intent recognised; neither has an accepted create). Resync's evidence that an
   * entity no link points to any more is the bridge's: a removal that left it behind is found.
   */
  public java.util.Map<String, ResourceKey> owned(EntityType type) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT fulcrum_id, scim_id FROM reconcile_audit WHERE entity_type = ? "
          + "AND action IN (?, 'LINK') AND result = 'ok' AND fulcrum_id IS NOT NULL ORDER BY id")) {
        ps.setString(1, type.name());
        ps.setString(2, (type == EntityType.USER ? Action.Kind.CREATE_MEMBER : Action.Kind.CREATE_GROUP).name());
        java.util.Map<String, ResourceKey> out = new java.util.HashMap<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), new ResourceKey(type, rs.getString(2)));
          }
        }
        return out;
      }
    });
  }

  /**
   * Whether the reconciler made or linked member or group {@code fulcrumId} for {@code key}, as
   * {@link #owned} counts it. No index serves this (the table's only one is on {@code at}), so it
   * reads every entry: ask it only where it is rare (once a leaving user's change ends DEAD on a
   * member nobody manages), never per plan or per key of a cycle.
   */
  boolean made(ResourceKey key, String fulcrumId) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM reconcile_audit WHERE entity_type = ? AND scim_id = ? "
          + "AND fulcrum_id = ? AND action IN (?, 'LINK') AND result = 'ok' LIMIT 1")) {
        ps.setString(1, key.type().name());
        ps.setString(2, key.scimId());
        ps.setString(3, fulcrumId);
        ps.setString(4, (key.type() == EntityType.USER ? Action.Kind.CREATE_MEMBER : Action.Kind.CREATE_GROUP).name());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  /**
   * Deletes up to {@code limit} entries from before {@code before}, oldest first, and answers how
   * many. Kept regardless of age: entries of a user or group whose work row is not DONE, the
   * newest successful write ({@link #lastApplied} stays true), and successful creates and links:
   * resync's evidence that an entity no link points to is the bridge's own ({@link #owned}).
   */
  public int prune(Instant before, int limit) {
    return db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("""
          DELETE FROM reconcile_audit WHERE id IN (
            SELECT a.id FROM reconcile_audit a
            WHERE a.at < ?
              AND a.id IS DISTINCT FROM (SELECT max(o.id) FROM reconcile_audit o WHERE o.result = 'ok')
              AND NOT (a.result = 'ok' AND a.action IN ('CREATE_MEMBER', 'CREATE_GROUP', 'LINK'))
              AND NOT EXISTS (SELECT 1 FROM work w
                              WHERE w.entity_type = a.entity_type AND w.entity_id = a.scim_id AND w.state <> 'DONE')
            ORDER BY a.id LIMIT ?)""")) {
        ps.setLong(1, before.toEpochMilli());
        ps.setInt(2, limit);
        return ps.executeUpdate();
      }
    });
  }

  /** When the newest {@code action} of {@code key} at or after {@code since} was attempted, whatever its result. */
  Optional<Instant> lastAttempt(ResourceKey key, Action.Kind action, Instant since) {
    return db.read(c -> {
      // the index on at bounds the scan to the rows since then
      try (PreparedStatement ps = c.prepareStatement("SELECT max(at) FROM reconcile_audit "
          + "WHERE at >= ? AND entity_type = ? AND scim_id = ? AND action = ?")) {
        ps.setLong(1, since.toEpochMilli());
        ps.setString(2, key.type().name());
        ps.setString(3, key.scimId());
        ps.setString(4, action.name());
        try (ResultSet rs = ps.executeQuery()) {
          return maxAt(rs);
        }
      }
    });
  }

  /** The newest removal of a member that Fulcrum accepted: where its records went is in its detail. */
  public Optional<AuditEntry> lastRemoval() {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, at, entity_type, scim_id, action, fulcrum_id, result, detail FROM reconcile_audit "
              + "WHERE action = ? AND result = 'ok' ORDER BY id DESC LIMIT 1")) {
        ps.setString(1, Action.Kind.REMOVE_MEMBER.name());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(entry(rs)) : Optional.empty();
        }
      }
    });
  }

  /** The answer of a {@code SELECT max(at)}: empty when no row matched. */
  private static Optional<Instant> maxAt(ResultSet rs) throws SQLException {
    long at = rs.next() ? rs.getLong(1) : 0;
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(at));
  }

  private static AuditEntry entry(ResultSet rs) throws SQLException {
    return new AuditEntry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)),
        new ResourceKey(EntityType.valueOf(rs.getString(3)), rs.getString(4)), rs.getString(5),
        rs.getString(6), rs.getString(7), rs.getString(8));
  }

  /** When Fulcrum last accepted a write from the reconciler. */
  public Optional<Instant> lastApplied() {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT max(at) FROM reconcile_audit WHERE result = 'ok'");
          ResultSet rs = ps.executeQuery()) {
        return maxAt(rs);
      }
    });
  }
}
