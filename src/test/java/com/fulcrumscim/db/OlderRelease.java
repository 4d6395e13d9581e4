package com.fulcrumscim.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A store as a process of an older release left it, and that process's writer lease: for the
 * upgrade tests, on a SQLite file or a PostgreSQL database alike.
 */
public final class OlderRelease {
  private OlderRelease() {}

  /** How many migrations this build has: the schema version it needs. */
  public static int newest() throws IOException {
    return migrations().size();
  }

  /** Applies only the first {@code version} migrations to the empty store at {@code location}, as that release did. */
  public static void schema(StoreLocation location, int version) throws SQLException, IOException {
    Dialect dialect = dialect(location);
    try (Connection c = connect(location); Statement s = c.createStatement()) {
      if (dialect == Dialect.SQLITE) {
        s.execute("PRAGMA journal_mode = WAL"); // as serve leaves it
      }
      for (String file : migrations().subList(0, version)) {
        for (String sql : Migrations.statements(resource((dialect == Dialect.SQLITE ? "db/" : "db/postgresql/") + file))) {
          s.executeUpdate(sql);
        }
      }
      if (dialect == Dialect.SQLITE) {
        s.execute("PRAGMA user_version = " + version);
      } else {
        s.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)");
        s.execute("INSERT INTO schema_version (version) VALUES (" + version + ")");
      }
    }
  }

  /** A row as that release wrote it: {@code sql} in its schema's columns. */
  public static void wrote(StoreLocation location, String sql) throws SQLException {
    try (Connection c = connect(location); Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }

  /** The writer lease row a running process of that release keeps renewing: {@code role} DAEMON or COMMAND. */
  public static void holdsTheLease(StoreLocation location, String holder, String role, Instant until) throws SQLException {
    try (Connection c = connect(location); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO writer_lease (name, holder, role, acquired_at, expires_at) VALUES ('fulcrum', ?, ?, ?, ?)")) {
      ps.setString(1, holder);
      ps.setString(2, role);
      ps.setLong(3, until.minusSeconds(60).toEpochMilli());
      ps.setLong(4, until.toEpochMilli());
      ps.executeUpdate();
    }
  }

  /** The time {@code holder}'s lease had left has passed: its expiry is in the past now. */
  public static void leaseRunsOut(StoreLocation location, String holder) throws SQLException {
    try (Connection c = connect(location);
        PreparedStatement ps = c.prepareStatement("UPDATE writer_lease SET expires_at = ? WHERE holder = ?")) {
      ps.setLong(1, Instant.now().minusSeconds(1).toEpochMilli());
      ps.setString(2, holder);
      ps.executeUpdate();
    }
  }

  /**
   * A process of that release that runs: it holds the lease for {@code ttl} and renews it every
   * third of that, as a live holder does, until closed.
   */
  public static AutoCloseable keepsTheLease(StoreLocation location, String holder, String role, Duration ttl) throws SQLException {
    holdsTheLease(location, holder, role, Instant.now().plus(ttl));
    ScheduledExecutorService renewing = Executors.newSingleThreadScheduledExecutor();
    long every = ttl.dividedBy(3).toMillis();
    renewing.scheduleAtFixedRate(() -> {
      try (Connection c = connect(location);
          PreparedStatement ps = c.prepareStatement("UPDATE writer_lease SET expires_at = ? WHERE holder = ?")) {
        ps.setLong(1, Instant.now().plus(ttl).toEpochMilli());
        ps.setString(2, holder);
        ps.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException("renewing the lease of " + holder + " failed", e);
      }
    }, every, every, TimeUnit.MILLISECONDS);
    return renewing::shutdownNow;
  }

  /** The schema version the store at {@code location} records now. */
  public static int version(StoreLocation location) {
    return location instanceof StoreLocation.Postgres p ? PostgresEngine.schemaVersion(p)
        : SqliteEngine.schemaVersion(((StoreLocation.SqliteFile) location).path());
  }

  private static Dialect dialect(StoreLocation location) {
    return location instanceof StoreLocation.Postgres ? Dialect.POSTGRESQL : Dialect.SQLITE;
  }

  private static Connection connect(StoreLocation location) throws SQLException {
    if (location instanceof StoreLocation.Postgres p) {
      return DriverManager.getConnection(p.url(), p.username(), p.password());
    }
    return DriverManager.getConnection("jdbc:sqlite:" + ((StoreLocation.SqliteFile) location).path());
  }

  private static List<String> migrations() throws IOException {
    return resource("db/migrations.txt").lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = OlderRelease.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
