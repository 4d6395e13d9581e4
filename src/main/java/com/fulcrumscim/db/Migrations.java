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
final class Migrations {
  private Migrations() {}

  static void apply(Connection c) throws SQLException, IOException {
    List<String> files = List.of(resource("db/migrations.txt").split("\\R")).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    int applied = userVersion(c);
    if (applied > files.size()) {
      throw new SQLException("database schema version " + applied + " is newer than this build knows ("
          + files.size() + "); run a newer fulcrum-scim");
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
