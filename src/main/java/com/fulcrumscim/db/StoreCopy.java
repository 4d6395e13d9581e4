package com.fulcrumscim.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code db copy}: every row of every table of a SQLite store into an empty PostgreSQL one of the
 * same schema version, in one PostgreSQL transaction, ids and seqs kept, identity counters moved
 * past them, then each table counted on both sides.
 */
public final class StoreCopy {
  private static final int BATCH = 1000;

  /** Rows per table, in copy order, as counted on both sides afterwards. */
  public record Counts(Map<String, Long> source, Map<String, Long> target) {
    public boolean match() {
      return source.equals(target);
    }
  }

  private StoreCopy() {}

  /**
   * Refuses a target with anything in it (tables of another application, or this bridge's tables
   * with rows); a target with only this bridge's empty tables (a node already started) is fine.
   * Call before {@link Database#open}, which would migrate it.
   */
  public static void requireEmpty(StoreLocation.Postgres target) {
    try (Database db = Database.openExisting(target, Database.Access.READ_ONLY)) {
      // the schema is this build's: empty only if every table is
      for (Map.Entry<String, Long> table : db.read(StoreCopy::countAll).entrySet()) {
        if (table.getValue() > 0) {
          throw new DatabaseException(target.describe() + " is not empty (" + table.getKey() + " has " + table.getValue()
              + " rows): db copy only fills an empty database", null);
        }
      }
    } catch (SchemaVersionException e) {
      if (PostgresEngine.schemaVersion(target) > 0) {
        throw e;
      }
      List<String> foreign = PostgresEngine.tables(target);
      if (!foreign.isEmpty()) {
        throw new DatabaseException(target.describe() + " is not empty (it has tables " + String.join(", ", foreign)
            + "): db copy only fills an empty database", null);
      }
    }
  }

  /** Copies everything from {@code from} (SQLite) into {@code to} (PostgreSQL, migrated, empty). */
  public static Counts copy(Database from, Database to) {
    if (from.dialect() != Dialect.SQLITE || to.dialect() != Dialect.POSTGRESQL) {
      throw new DatabaseException("db copy goes from a SQLite file to PostgreSQL", null);
    }
    int fromVersion = from.read(c -> Migrations.versions(c, Dialect.SQLITE).found());
    int toVersion = to.read(c -> Migrations.versions(c, Dialect.POSTGRESQL).found());
    if (fromVersion != toVersion) {
      throw new DatabaseException("schema versions differ (SQLite " + fromVersion + ", PostgreSQL " + toVersion
          + "): run `fulcrum-scim db migrate` on the file first", null);
    }
    from.read(c -> { // one read, one snapshot of the file: every table as of the same moment
      List<String> tables = sqliteTables(c);
      to.write(target -> {
        for (String table : tables) {
          copyTable(c, target, table);
        }
        advanceIdentities(target);
        return null;
      });
      return null;
    });
    return new Counts(from.read(StoreCopy::countAll), to.read(StoreCopy::countAll));
  }

  /** Tables in the order they were created, which parents-before-children follows. */
  private static List<String> sqliteTables(Connection c) throws SQLException {
    return names(c, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid");
  }

  /** The bridge's tables, without the migration bookkeeping (SQLite keeps its version in a pragma). */
  private static List<String> postgresTables(Connection c) throws SQLException {
    return names(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        + "AND table_type = 'BASE TABLE' AND table_name <> 'schema_version' ORDER BY table_name");
  }

  private static List<String> names(Connection c, String query) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  private static void copyTable(Connection from, Connection to, String table) throws SQLException {
    try (Statement s = from.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
      ResultSetMetaData meta = rs.getMetaData();
      List<String> columns = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        columns.add(meta.getColumnName(i));
      }
      String insert = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES "
          + Dialect.placeholders(columns.size());
      try (PreparedStatement ps = to.prepareStatement(insert)) {
        int pending = 0;
        while (rs.next()) {
          for (int i = 1; i <= columns.size(); i++) {
            ps.setObject(i, rs.getObject(i));
          }
          ps.addBatch();
          if (++pending == BATCH) {
            ps.executeBatch();
            pending = 0;
          }
        }
        if (pending > 0) {
          ps.executeBatch();
        }
      }
    }
  }

  /** Each identity column's next value is past the largest copied one, so new rows never collide. */
  private static void advanceIdentities(Connection c) throws SQLException {
    List<String[]> identities = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT table_name, column_name "
        + "FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'")) {
      while (rs.next()) {
        identities.add(new String[] {rs.getString(1), rs.getString(2)});
      }
    }
    for (String[] id : identities) {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT setval(pg_get_serial_sequence('" + id[0] + "', '" + id[1] + "'), "
            + "COALESCE(max(" + id[1] + "), 1), max(" + id[1] + ") IS NOT NULL) FROM " + id[0]);
      }
    }
  }

  /** Rows of every table of the bridge's schema (not the migration bookkeeping). */
  static Map<String, Long> countAll(Connection c) throws SQLException {
    List<String> tables = Dialect.of(c) == Dialect.SQLITE ? sqliteTables(c) : postgresTables(c);
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String table : tables) {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
        rs.next();
        counts.put(table, rs.getLong(1));
      }
    }
    return counts;
  }
}
