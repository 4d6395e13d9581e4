package com.fulcrumscim.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What makes an SQLite file a bridge database, whatever its schema version: a version recorded and
 * the bridge's tables. Backup and restore take any such file; a wrong path is refused before either
 * writes anything.
 */
final class BridgeFile {
  private static final List<String> TABLES = List.of("setting", "link", "journal", "work");

  private BridgeFile() {}

  /** The schema versions of the bridge database at {@code file}: recorded in it, and this build's. */
  static Migrations.Versions versions(Path file) {
    try (Connection c = SqliteEngine.connect("jdbc:sqlite:" + file, Database.Access.READ_ONLY)) {
      Migrations.Versions v = Migrations.versions(c, Dialect.SQLITE);
      requireTables(c, v.found(), file);
      return v;
    } catch (SQLException e) {
      // a file this user may not open says nothing of what it is: "not a fulcrum-scim database" invites a restore
      SqliteDirectory.unopenable(file, e).ifPresent(problem -> {
        throw new DatabaseException(problem, e);
      });
      String why = e.getMessage().replaceAll("\\s+", " ");
      if (!SqliteEngine.isCorruption(e)) {
        // a lock, an I/O error: SQLite could not read the file, which says nothing of what it holds
        throw new DatabaseException("cannot read " + file + ": " + why + "; nothing was changed", e);
      }
      throw notABridgeDatabase(file, why);
    }
  }

  /** Refuses the file {@code c} reads ({@code named} in the message) unless it has a schema version and the bridge's tables. */
  static void requireTables(Connection c, int version, Path named) throws SQLException {
    List<String> missing = new ArrayList<>(TABLES);
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
      while (rs.next()) {
        missing.remove(rs.getString(1));
      }
    }
    if (version == 0 || !missing.isEmpty()) {
      throw notABridgeDatabase(named, "an SQLite file without the bridge's tables");
    }
  }

  static DatabaseException notABridgeDatabase(Path named, String why) {
    return new DatabaseException(named + " is not a fulcrum-scim database (" + why + "); nothing was changed", null);
  }
}
