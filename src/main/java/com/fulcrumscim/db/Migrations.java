package com.fulcrumscim.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Numbered schema migrations from {@code db/V00N__*.sql}, listed in {@code db/migrations.txt}.
 * {@code PRAGMA user_version} records how many have been applied; each runs in its own transaction.
 */
public final class Migrations {
  /** {@code found}: recorded in the file; {@code known}: the newest this build has (after a migration: what it now has). */
  public record Versions(int found, int known) {}

  private Migrations() {}

  static void apply(Connection c) throws SQLException, IOException {
    List<String> files = files();
    int applied = userVersion(c);
    if (applied > files.size()) {
      throw tooNew(applied, files.size());
    }
    for (int i = applied; i < files.size(); i++) {
      String file = files.get(i);
      if (!file.startsWith(String.format("V%03d__", i + 1))) {
        throw new IllegalStateException("migration " + file + " is out of order in db/migrations.txt");
      }
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        for (String sql : statements(resource("db/" + file))) {
          s.executeUpdate(sql);
        }
        s.execute("PRAGMA user_version = " + (i + 1));
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw new SQLException("migration " + file + " failed: " + e.getMessage(), e);
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  /** Refuses a file whose schema differs from this build's, saying which side to upgrade. */
  static void requireCurrent(Connection c, java.nio.file.Path file) throws SQLException {
    Versions v = versions(c);
    if (v.found() > v.known()) {
      throw tooNew(v.found(), v.known());
    }
    if (v.found() < v.known()) {
      throw new SchemaVersionException("database " + file + " has schema version " + v.found() + ", this fulcrum-scim "
          + "needs " + v.known() + ": run `fulcrum-scim db migrate` (or restart `serve`, which migrates at start)", false);
    }
  }

  static Versions versions(Connection c) throws SQLException {
    try {
      return new Versions(userVersion(c), files().size());
    } catch (IOException e) {
      throw new IllegalStateException("db/migrations.txt missing from the build", e);
    }
  }

  private static SchemaVersionException tooNew(int found, int known) {
    return new SchemaVersionException("database schema version " + found + " is newer than this fulcrum-scim knows ("
        + known + "): it was written by a newer release; run that release (or newer), not this one", true);
  }

  private static List<String> files() throws IOException {
    return List.of(resource("db/migrations.txt").split("\\R")).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  private static int userVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  /** Splits a script on semicolons at line ends, dropping comment lines. */
  static List<String> statements(String script) {
    StringBuilder current = new StringBuilder();
    List<String> out = new java.util.ArrayList<>();
    for (String line : script.split("\\R")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        out.add(current.toString().strip());
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().strip());
    }
    return out;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
