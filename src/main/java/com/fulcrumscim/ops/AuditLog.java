package com.fulcrumscim.ops;

import com.fulcrumscim.db.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the reconciler's audit of Fulcrum writes, {@code reconcile_audit} (the reconciler's
 * migration V003 creates and fills it; {@code result} is "ok" or the failure). Before that
 * migration exists in a database there is simply no audit, so every read checks first.
 */
public final class AuditLog {
  static final String TABLE = "reconcile_audit";

  /** One attempted Fulcrum write. */
  public record Entry(long id, Instant at, String key, String action, String fulcrumId, String result, String detail) {}

  private final Database db;

  public AuditLog(Database db) {
    this.db = db;
  }

  /** Newest first, at or after {@code since} (null: any time), at most {@code limit}. */
  public List<Entry> list(Instant since, int limit) {
    return db.read(c -> {
      if (!OpsStore.tableExists(c, TABLE)) {
        return List.of();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, at, entity_type, scim_id, action, fulcrum_id, result, detail FROM " + TABLE
              + " WHERE at >= ? ORDER BY id DESC LIMIT ?")) {
        ps.setLong(1, since == null ? Long.MIN_VALUE : since.toEpochMilli());
        ps.setInt(2, limit);
        List<Entry> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Entry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)),
                rs.getString(3).toLowerCase(java.util.Locale.ROOT) + "/" + rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
          }
        }
        return out;
      }
    });
  }

  /** When Fulcrum last accepted a write from the reconciler. */
  public Optional<Instant> lastApplied() {
    return db.read(c -> {
      if (!OpsStore.tableExists(c, TABLE)) {
        return Optional.empty();
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT max(at) FROM " + TABLE + " WHERE result = 'ok'");
          ResultSet rs = ps.executeQuery()) {
        long at = rs.next() ? rs.getLong(1) : 0;
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(at));
      }
    });
  }
}
