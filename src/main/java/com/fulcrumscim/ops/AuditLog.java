package com.fulcrumscim.ops;

import com.fulcrumscim.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the reconciler's audit of applied Fulcrum changes (its migration V003 owns the table).
 * Rows are shown column by column as the table defines them, so the operator sees every field the
 * reconciler records; this class needs only the table name, a time column (epoch milliseconds) and
 * optionally an outcome column. Before V003 exists there is simply no audit.
 */
public final class AuditLog {
  static final String TABLE = "audit";
  /** The time column: the first of these the table has. */
  private static final List<String> TIME_COLUMNS = List.of("at", "applied_at", "created_at", "occurred_at");
  /** The outcome column, if any: the first of these the table has. */
  private static final List<String> OUTCOME_COLUMNS = List.of("outcome", "result", "status");
  private static final Set<String> SUCCESS = Set.of("applied", "ok", "success", "succeeded", "done");

  /** One audit row: column name to value, in table order; the time column as an Instant. */
  public record Entry(Map<String, Object> columns) {}

  private final Database db;

  public AuditLog(Database db) {
    this.db = db;
  }

  public boolean exists() {
    return db.read(c -> OpsStore.tableExists(c, TABLE));
  }

  /** Newest first, at or after {@code since} (null: any time), at most {@code limit}. Empty without the table. */
  public List<Entry> list(Instant since, int limit) {
    return db.read(c -> {
      if (!OpsStore.tableExists(c, TABLE)) {
        return List.of();
      }
      String time = column(c, TIME_COLUMNS).orElseThrow(() -> new IllegalStateException(
          "table " + TABLE + " has none of the time columns " + TIME_COLUMNS));
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + TABLE + " WHERE " + time + " >= ? ORDER BY "
          + time + " DESC, rowid DESC LIMIT ?")) {
        ps.setLong(1, since == null ? Long.MIN_VALUE : since.toEpochMilli());
        ps.setInt(2, limit);
        List<Entry> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          ResultSetMetaData meta = rs.getMetaData();
          while (rs.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
              String name = meta.getColumnName(i);
              Object value = rs.getObject(i);
              row.put(name, name.equalsIgnoreCase(time) && value instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : value);
            }
            out.add(new Entry(row));
          }
        }
        return out;
      }
    });
  }

  /** The newest row whose outcome says it was applied (any row, if the table has no outcome column). */
  public Optional<Instant> lastApplied() {
    return db.read(c -> {
      if (!OpsStore.tableExists(c, TABLE)) {
        return Optional.empty();
      }
      Optional<String> time = column(c, TIME_COLUMNS);
      if (time.isEmpty()) {
        return Optional.empty();
      }
      Optional<String> outcome = column(c, OUTCOME_COLUMNS);
      String where = outcome.map(o -> " WHERE lower(" + o + ") IN ('" + String.join("', '", SUCCESS) + "')").orElse("");
      try (PreparedStatement ps = c.prepareStatement("SELECT max(" + time.get() + ") FROM " + TABLE + where);
          ResultSet rs = ps.executeQuery()) {
        long at = rs.next() ? rs.getLong(1) : 0;
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(at));
      }
    });
  }

  private static Optional<String> column(Connection c, List<String> candidates) throws SQLException {
    List<String> present = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT name FROM pragma_table_info(?)")) {
      ps.setString(1, TABLE);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          present.add(rs.getString(1).toLowerCase(Locale.ROOT));
        }
      }
    }
    return candidates.stream().filter(present::contains).findFirst();
  }
}
