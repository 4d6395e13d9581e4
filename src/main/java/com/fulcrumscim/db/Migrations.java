package com.fulcrumscim.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbered schema migrations listed in {@code db/migrations.txt}: SQLite runs {@code db/V00N__*.sql},
 * PostgreSQL {@code db/postgresql/V00N__*.sql}, the same numbers meaning the same schema. SQLite's
 * {@code PRAGMA user_version} records how many have been applied, on PostgreSQL the one row of
 * {@code schema_version}; each runs in its own transaction (PostgreSQL's DDL is transactional too),
 * with the Java step a migration may have after its statements ({@link #JAVA_STEPS}).
 */
public final class Migrations {
  /** {@code found}: recorded in the file; {@code known}: the newest this build has (after a migration: what it now has). */
  public record Versions(int found, int known) {}

  private Migrations() {}

  /** Any constant both nodes agree on: nodes starting together migrate one after the other. */
  private static final long POSTGRES_MIGRATION_LOCK = 0x46756c6372756dL;
  /** V004 made the writer lease's table: a schema before it has no lease to look at. */
  private static final int WRITER_LEASE_SINCE = 4;
  /**
   * How long past a lease's expiry a migration waits for it at most: the wait is timed here, but the
   * lease expires on the database's clock, which the last look must find past the expiry.
   */
  private static final Duration LEASE_MARGIN = Duration.ofSeconds(1);
  /** How often a migration waiting for a lease looks whether it is still the one it waits for. */
  private static final Duration LEASE_LOOK = Duration.ofMillis(250);
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  /** What a migration's SQL cannot do (fold every letter's case), run after its statements in its transaction. */
  interface JavaStep {
    void run(Connection c) throws SQLException;
  }

  private static final Map<String, JavaStep> JAVA_STEPS = Map.of("V018__email_key.sql", EmailKeyBackfill::run);

  static void apply(Connection c, Dialect dialect) throws SQLException, IOException {
    apply(c, dialect, JAVA_STEPS);
  }

  /** {@link #apply(Connection, Dialect)} with {@code steps} for the Java steps: a test's, to make one fail. */
  static void apply(Connection c, Dialect dialect, Map<String, JavaStep> steps) throws SQLException, IOException {
    if (dialect == Dialect.POSTGRESQL) {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_lock(" + POSTGRES_MIGRATION_LOCK + ")");
      }
      try {
        applyLocked(c, dialect, steps);
      } finally {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_advisory_unlock(" + POSTGRES_MIGRATION_LOCK + ")");
        }
      }
    } else {
      applyLocked(c, dialect, steps);
    }
  }

  private static void applyLocked(Connection c, Dialect dialect, Map<String, JavaStep> steps) throws SQLException, IOException {
    List<String> files = files();
    int applied = version(c, dialect);
    if (applied > files.size()) {
      throw tooNew(applied, files.size());
    }
    boolean waited = false;
    while (applied < files.size()) {
      String file = files.get(applied);
      if (!file.startsWith(String.format("V%03d__", applied + 1))) {
        throw new IllegalStateException("migration " + file + " is out of order in db/migrations.txt");
      }
      Optional<LiveLease> writer;
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        holdTheVersion(s, dialect, applied);
        // Read again now that the transaction holds the write lock: on SQLite another process (a
        // second serve, `db migrate` beside serve) may have applied this one while we waited for it.
        int now = version(c, dialect);
        if (now != applied) {
          c.rollback();
          if (now > files.size()) {
            throw tooNew(now, files.size());
          }
          applied = now;
          continue;
        }
        holdTheLease(s, dialect, now);
        writer = liveLease(c, dialect, now);
        if (writer.isPresent()) {
          c.rollback();
        } else {
          for (String sql : statements(resource(directory(dialect) + file))) {
            s.executeUpdate(sql);
          }
          steps.getOrDefault(file, none -> {}).run(c);
          recordVersion(s, dialect, applied + 1);
          c.commit();
          applied++;
        }
      } catch (SQLException e) {
        rollBack(c, e);
        throw new SQLException("migration " + file + " failed: " + e.getMessage(), e);
      } catch (Throwable t) {
        // whatever failed, not only SQL (a Java step's RuntimeException, an OutOfMemoryError): the
        // setAutoCommit(true) below would commit half the migration (review-s17b F1)
        rollBack(c, t);
        throw t;
      } finally {
        c.setAutoCommit(true);
      }
      if (writer.isPresent()) {
        if (waited) {
          throw new MigrationRefusedException("cannot migrate the schema from version " + applied + " to " + files.size()
              + ": " + writer.get().describe() + "; the release it runs does not know the new schema, so stop every node and "
              + "let operator commands end first, then run `fulcrum-scim db migrate` once (README: Upgrade, High availability)");
        }
        // outside the transaction: on SQLite it holds the write lock, which a live holder needs to renew
        waitOut(c, dialect, writer.get());
        waited = true;
      }
    }
  }

  /** Rolls back the failed migration's transaction, keeping {@code failure} the one thrown. */
  private static void rollBack(Connection c, Throwable failure) {
    try {
      c.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Waits for {@code lease} to expire: a holder killed (SIGKILL, a power cut) leaves its lease
   * behind until then, and the restart right after it (an upgrade's) would otherwise refuse for a
   * process that is gone. The wait ends early once the lease is no longer the one read: released,
   * renewed or taken by another (a process that runs, which the next look refuses), or expired.
   */
  private static void waitOut(Connection c, Dialect dialect, LiveLease lease) throws SQLException {
    Duration left = Duration.ofMillis(lease.expiresAt() - lease.readAt()).plus(LEASE_MARGIN);
    log.warn("waiting up to {}s for the writer lease of {} ({}; expires at {}) before migrating: a holder that was killed "
        + "leaves its lease until it expires; if it is renewed meanwhile, its holder runs and the migration is refused",
        (left.toMillis() + 999) / 1000, lease.holder(), lease.daemon() ? "a daemon" : "an operator command",
        Instant.ofEpochMilli(lease.expiresAt()));
    long deadline = System.nanoTime() + left.toNanos();
    try {
      while (System.nanoTime() < deadline && readLease(c, dialect).filter(lease::sameRow).isPresent()) {
        Thread.sleep(LEASE_LOOK.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatabaseException("interrupted waiting for the writer lease of " + lease.holder() + "; nothing was migrated", e);
    }
  }

  /**
   * Who holds a live writer lease on the store {@code c} opens, in words, whatever its schema
   * version (a node of an older release may be writing to it); empty when none, or when it has no
   * lease table.
   */
  public static Optional<String> liveWriter(Connection c, Dialect dialect) throws SQLException {
    return liveLease(c, dialect, version(c, dialect)).map(LiveLease::describe);
  }

  /**
   * {@link #liveWriter} on the SQLite file {@code file}, and what to do before running {@code
   * command}, which holds the file's lock, again: a daemon's lease is a stopped serve's
   * ({@link #leftByAServeNotRunning}), while an operator command's ends with it.
   */
  public static Optional<String> liveWriter(Connection c, Dialect dialect, String file, String command) throws SQLException {
    return liveLease(c, dialect, version(c, dialect)).map(lease -> lease.daemon()
        ? leftByAServeNotRunning(lease.holder(), Instant.ofEpochMilli(lease.expiresAt()), file, command)
        : lease.describe() + ", on " + file + ": " + untilItEnds(Instant.ofEpochMilli(lease.expiresAt()), command));
  }

  /**
   * What a daemon's writer lease {@code holder} left live until {@code expiresAt} on the SQLite file
   * {@code file} is, for {@code command}, which holds the file's lock: no serve of this release runs
   * on the file, so it is a serve killed outright (or whose machine restarted), and the service is
   * stopped already; "stop it first" sent the operator to stop what was not running. Only a daemon of
   * a release before the lock (6 December 2026), or before one lock for one file (8 December 2026) on a
   * symbolic storage.path, would still run beside it.
   */
  public static String leftByAServeNotRunning(String holder, Instant expiresAt, String file, String command) {
    String ends = expiresAt.truncatedTo(ChronoUnit.SECONDS).toString();
    return "the writer lease on " + file + " is a daemon's (" + holder + "), yet no serve has the file (" + command
        + " holds its lock): a serve killed outright, or whose machine restarted, left it, and it ends at " + ends
        + "; run " + command + " again after that, with serve still stopped. Only a daemon of a release before"
        + " 6 December 2026, which takes no lock, or one before 8 December 2026 on a symbolic storage.path, which"
        + " locks a file beside the link, would run on the file now: stop that one first (systemctl stop fulcrum-scim)";
  }

  /**
   * What to do about an operator command's writer lease (expiring at {@code expiresAt} unless renewed)
   * before running {@code command} again: "stop it first" sent the operator to stop the service, which
   * does not hold it; the command renews it until it ends, and a killed one's lapses.
   */
  public static String untilItEnds(Instant expiresAt, String command) {
    return "it ends when that command ends (at " + expiresAt.truncatedTo(ChronoUnit.SECONDS) + " if it was killed); run "
        + command + " again after that";
  }

  /**
   * The setting holding when the reconciler's pause began (reconcile.Pause): its end gives the time
   * since back to every failed change's retry budget.
   */
  public static final String PAUSED_SINCE = "reconciler.paused_since";

  /**
   * What a restored copy keeps of the processes of the backup's time, none of which runs on it: their
   * writer lease (a restored daemon would wait it out, a migration would be refused for it) and the
   * operator requests no one answered (a command given then would be carried out now). A schema
   * before {@value #WRITER_LEASE_SINCE} has neither table. A pause the backup was taken in is kept
   * (the token may still be refused), but counts from now: from the backup's time, its end would
   * give the days between backup and restore to every failed change's retry budget, the changes
   * carried forward too, and a deprovisioning that keeps failing would go DEAD that much later.
   */
  public static void forgetTheBackupsProcesses(Connection c, Dialect dialect) throws SQLException {
    if (version(c, dialect) < WRITER_LEASE_SINCE) {
      return; // nor a recorded pause start: releases of those schemas kept none
    }
    try (Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM writer_lease");
      s.executeUpdate("DELETE FROM operator_request WHERE state IN ('PENDING', 'RUNNING')");
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE setting SET value = ? WHERE key = ?")) {
      ps.setString(1, Long.toString(Clock.systemUTC().millis()));
      ps.setString(2, PAUSED_SINCE);
      ps.executeUpdate();
    }
  }

  /**
   * Who holds a live writer lease, if anyone does: a process of the release that made this schema,
   * still writing (in HA, possibly the leader of the other nodes), which must not have its schema
   * changed under it. Any live lease is another process's: this one has not opened the store yet.
   * Read in each migration's transaction, after {@link #holdTheLease}: no one takes the lease before
   * it commits.
   */
  private static Optional<LiveLease> liveLease(Connection c, Dialect dialect, int version) throws SQLException {
    return version < WRITER_LEASE_SINCE ? Optional.empty() : readLease(c, dialect);
  }

  /**
   * On PostgreSQL, locks the lease's table against writes until the migration's transaction ends, so
   * a node taking the lease over meanwhile (an older standby) waits for the commit and then finds the
   * schema newer than it knows, rather than reading the old one and leading over the new. Plain reads
   * go on. On SQLite the transaction's write lock does as much.
   */
  private static void holdTheLease(Statement s, Dialect dialect, int version) throws SQLException {
    if (dialect == Dialect.POSTGRESQL && version >= WRITER_LEASE_SINCE) {
      s.execute("LOCK TABLE writer_lease IN EXCLUSIVE MODE");
    }
  }

  /**
   * On PostgreSQL, locks the version's table until the migration's transaction ends: every SCIM
   * write of a running node reads it first ({@link #newerSchema}, through
   * {@link Database#writeOnKnownSchema}), so the migration waits for the writes under way to commit
   * (its statements then see their rows), and a write that starts meanwhile waits for the commit and
   * finds the newer version, refused, rather than storing a row the migration never saw (review-s13e
   * F1: an older node's rows left schema 16's work.leaver at 0). A release before this one's writes
   * read no version: nothing holds them back.
   */
  private static void holdTheVersion(Statement s, Dialect dialect, int version) throws SQLException {
    if (dialect == Dialect.POSTGRESQL && version > 0) {
      s.execute("LOCK TABLE schema_version IN ACCESS EXCLUSIVE MODE");
    }
  }

  /** The live writer lease, read on the clock the lease is kept on (the database's). */
  private static Optional<LiveLease> readLease(Connection c, Dialect dialect) throws SQLException {
    long now = DatabaseClock.of(dialect, Clock.systemUTC()).millis(c);
    try (PreparedStatement ps = c.prepareStatement("SELECT holder, role, expires_at FROM writer_lease WHERE expires_at > ?")) {
      ps.setLong(1, now);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new LiveLease(rs.getString(1), rs.getString(2), rs.getLong(3), now)) : Optional.empty();
      }
    }
  }

  /** A live writer lease's row, and when (database clock, ms) it was read. */
  private record LiveLease(String holder, String role, long expiresAt, long readAt) {
    boolean daemon() {
      return "DAEMON".equals(role);
    }

    String describe() {
      return (daemon() ? "a daemon (" : "an operator command (") + holder + ") holds the writer lease until " + Instant.ofEpochMilli(expiresAt) + " unless it stops renewing it";
    }

    /** The same holder's lease, not renewed since: what a holder that is gone leaves. */
    boolean sameRow(LiveLease other) {
      return holder.equals(other.holder) && expiresAt == other.expiresAt;
    }
  }

  /** Refuses a file whose schema differs from this build's, saying which side to upgrade. */
  static void requireCurrent(Connection c, Dialect dialect, String file) throws SQLException {
    Versions v = versions(c, dialect);
    if (v.found() > v.known()) {
      throw tooNew(v.found(), v.known());
    }
    if (v.found() < v.known()) {
      throw new SchemaVersionException("database " + file + " has schema version " + v.found() + ", this fulcrum-scim "
          + "needs " + v.known() + ": run `fulcrum-scim db migrate` (or restart `serve`, which migrates at start)", false);
    }
  }

  /**
   * Set when the stored schema is newer than this build knows, found by a process that opened it
   * before a newer release migrated it (an older node left running as a standby): what to do.
   */
  static Optional<String> newerSchema(Connection c, Dialect dialect) throws SQLException {
    // no look for the table first: a store this process opened has one, and every SCIM write reads this
    int found = recorded(c, dialect);
    int known = Known.VERSION;
    return found > known
        ? Optional.of("database schema version " + found + " is newer than this fulcrum-scim knows (" + known
            + "): a newer release migrated it while this node ran; upgrade this node to that release (or newer)")
        : Optional.empty();
  }

  /** The newest schema this build has, read from the build once: SCIM writes compare with it. */
  private static final class Known {
    static final int VERSION = known();

    private static int known() {
      try {
        return files().size();
      } catch (IOException e) {
        throw new IllegalStateException("db/migrations.txt missing from the build", e);
      }
    }
  }

  static Versions versions(Connection c, Dialect dialect) throws SQLException {
    try {
      return new Versions(version(c, dialect), files().size());
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

  private static String directory(Dialect dialect) {
    return dialect == Dialect.SQLITE ? "db/" : "db/postgresql/";
  }

  private static int version(Connection c, Dialect dialect) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT to_regclass('schema_version') IS NULL")) {
        if (rs.next() && rs.getBoolean(1)) {
          return 0; // an empty database
        }
      }
    }
    return recorded(c, dialect);
  }

  /** The version recorded in a store that has the table for it: one statement. */
  private static int recorded(Connection c, Dialect dialect) throws SQLException {
    String query = dialect == Dialect.SQLITE ? "PRAGMA user_version" : "SELECT max(version) FROM schema_version";
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  private static void recordVersion(Statement s, Dialect dialect, int version) throws SQLException {
    if (dialect == Dialect.SQLITE) {
      s.execute("PRAGMA user_version = " + version);
    } else {
      s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      s.execute("DELETE FROM schema_version");
      s.execute("INSERT INTO schema_version (version) VALUES (" + version + ")");
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
