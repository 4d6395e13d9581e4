package com.fulcrumscim.control;

import com.fulcrumscim.db.ClaimFence;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.db.Dialect;
import java.lang.management.ManagementFactory;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The single row that says who may write to Fulcrum: the daemon while it runs, or an operator
 * command working in-process because no daemon runs. Taking it is one conditional upsert, so two
 * processes racing for it cannot both win; a holder that dies stops renewing and its row expires.
 */
public final class WriterLease {
  /** How long a holder keeps the lease without renewing (ha.lease_ttl's default); holders renew every third of it. */
  public static final Duration TTL = Duration.ofSeconds(15);
  private static final String NAME = "fulcrum";

  /** Who holds it: the daemon or an operator command. */
  public enum Role {
    DAEMON,
    COMMAND
  }

  /** A live lease as read from the row. */
  public record Holder(String holder, Role role, Instant acquiredAt, Instant expiresAt) {
    /** For logs and messages: who, and until when unless renewed. */
    public String describe() {
      return (role == Role.DAEMON ? "the daemon (" : "an operator command (") + holder + ", until " + expiresAt + " unless renewed)";
    }

    /** A daemon's lease given up by a clean stop on PostgreSQL (see {@link #release()}), not one that lapsed unrenewed. */
    public boolean stepped() {
      return acquiredAt.equals(expiresAt);
    }
  }

  private final Database db;
  private final DatabaseClock clock;
  private final String me;
  private final Role role;
  private final Duration ttl;
  /**
   * How long each of the lease's transactions may wait on the database: less than the renew interval
   * (a third of the lease), so a renewal on a connection to a server that vanished fails in time for
   * the next one (which may find a new primary), rather than holding the keeper past the lease's life.
   * The statements are one-row reads and upserts, done in milliseconds by a healthy server.
   */
  private final Duration bound;

  /** A lease of the default lifetime, on the clock of {@code db}'s engine ({@code clock} for SQLite). */
  public WriterLease(Database db, Clock clock, Role role) {
    this(db, DatabaseClock.of(db, clock), role, TTL);
  }

  public WriterLease(Database db, DatabaseClock clock, Role role, Duration ttl) {
    this.db = db;
    this.clock = clock;
    this.role = role;
    this.ttl = ttl;
    this.bound = bound(ttl);
    this.me = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Takes the lease, or renews it when already ours; false while someone else holds a live one.
   * "Now" is read from the database in the same transaction, so every node compares on its clock.
   */
  public boolean tryHold() {
    int changed = db.write(c -> {
      long now = clock.millis(c);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO writer_lease (name, holder, role, acquired_at, expires_at) "
          + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
          + "acquired_at = CASE WHEN writer_lease.holder = excluded.holder THEN writer_lease.acquired_at ELSE excluded.acquired_at END, "
          + "holder = excluded.holder, role = excluded.role, expires_at = excluded.expires_at "
          + "WHERE writer_lease.holder = excluded.holder OR writer_lease.expires_at <= ?")) {
        ps.setString(1, NAME);
        ps.setString(2, me);
        ps.setString(3, role.name());
        ps.setLong(4, now);
        ps.setLong(5, now + ttl.toMillis());
        ps.setLong(6, now);
        return ps.executeUpdate();
      }
    }, bound);
    return changed == 1;
  }

  /**
   * Gives the lease up at once (a clean stop), so the next holder need not wait for it to expire. A
   * daemon on PostgreSQL, where other nodes may stand by, leaves its row lapsed this very instant
   * instead (acquired then too, which no held lease's row is): a command in the moment before a
   * standby's next attempt takes it over waits for that standby, as after a lapse, rather than
   * working in-process and keeping it out. On SQLite no other daemon runs on the file (serve holds
   * its store lock), so the row goes.
   */
  public void release() {
    boolean stepAside = role == Role.DAEMON && db.dialect() == Dialect.POSTGRESQL;
    db.write(c -> {
      if (stepAside) {
        try (PreparedStatement ps = c.prepareStatement(
            "UPDATE writer_lease SET acquired_at = ?, expires_at = ? WHERE name = ? AND holder = ? AND expires_at > ?")) {
          long now = clock.millis(c);
          ps.setLong(1, now);
          ps.setLong(2, now);
          ps.setString(3, NAME);
          ps.setString(4, me);
          ps.setLong(5, now);
          return ps.executeUpdate();
        }
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM writer_lease WHERE name = ? AND holder = ?")) {
        ps.setString(1, NAME);
        ps.setString(2, me);
        return ps.executeUpdate();
      }
    }, bound);
  }

  /**
   * Gives the lease up while a write already let through may still be on its way to Fulcrum: a
   * command's as its JVM exits under it (Ctrl-C, SIGTERM; review-s8a F2), a leader's as it hands the
   * lease over at a renewal (review-s11f F5). On PostgreSQL, where a standby daemon
   * takes the lease at its next attempt, the row is left to expire half a lease from now (or
   * sooner, as it would have): the margin every other hand-over keeps between the last write the
   * fence let through and a take-over. On SQLite no other process takes the lease meanwhile (the
   * command or serve holds the store lock), so the row goes at once, as at a clean stop.
   */
  public void releaseWithMargin() {
    if (db.dialect() != Dialect.POSTGRESQL) {
      release();
      return;
    }
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE writer_lease SET expires_at = ? WHERE name = ? AND holder = ? AND expires_at > ?")) {
        long until = clock.millis(c) + ttl.toMillis() / 2;
        ps.setLong(1, until);
        ps.setString(2, NAME);
        ps.setString(3, me);
        ps.setLong(4, until);
        return ps.executeUpdate();
      }
    }, bound);
  }

  /**
   * The check for a transaction that claims work under this lease: the lease is this holder's and
   * unexpired, by the database's clock. On PostgreSQL the row stays share-locked until the claim
   * commits, so a node taking the lease over (its upsert locks the row) waits for a claim under way,
   * and the rescue that follows its take-over sees it; a claim that starts after the take-over finds
   * the lease no longer its own. On SQLite one process writes (serve holds the store lock): no check.
   */
  public ClaimFence fence() {
    if (db.dialect() != Dialect.POSTGRESQL) {
      return ClaimFence.NONE;
    }
    return c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM writer_lease WHERE name = ? AND holder = ? "
          + "AND expires_at > ?" + Dialect.POSTGRESQL.keepSelected())) {
        ps.setString(1, NAME);
        ps.setString(2, me);
        ps.setLong(3, clock.millis(c));
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    };
  }

  /** The live lease of anyone (this process included), if one is held. */
  public Optional<Holder> current() {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT holder, role, acquired_at, expires_at FROM writer_lease WHERE name = ? AND expires_at > ?")) {
        ps.setString(1, NAME);
        ps.setLong(2, clock.millis(c));
        return holder(ps);
      }
    }, bound);
  }

  /** The lease's row whether live or lapsed, if there is one (a clean stop on SQLite removes it). */
  public Optional<Holder> last() {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT holder, role, acquired_at, expires_at FROM writer_lease WHERE name = ?")) {
        ps.setString(1, NAME);
        return holder(ps);
      }
    }, bound);
  }

  /**
   * A daemon's lease that a daemon probably holds again soon, no one having taken it since: one that
   * lapsed less than a lease's life ago (a standby taking over, {@code serve} restarting, the leader
   * back from a stall or from a database failover), or one a daemon gave up by a clean stop on
   * PostgreSQL less than two thirds of it ago (a standby tries to take the lease a third of it after
   * its last try ended, and a try may take a quarter: seven twelfths at most). A daemon that stopped
   * cleanly on SQLite released it: no row. Whoever would write to Fulcrum in-process waits for that
   * daemon, or refuses, until {@link #takenOverBy}.
   */
  public Optional<Holder> lapsedDaemon() {
    return db.read(c -> {
      long now = clock.millis(c);
      try (PreparedStatement ps = c.prepareStatement("SELECT holder, role, acquired_at, expires_at FROM writer_lease "
          + "WHERE name = ? AND role = ? AND expires_at <= ? "
          + "AND expires_at > ? - CASE WHEN acquired_at = expires_at THEN ? ELSE ? END")) {
        ps.setString(1, NAME);
        ps.setString(2, Role.DAEMON.name());
        ps.setLong(3, now);
        ps.setLong(4, now);
        ps.setLong(5, afterStop().toMillis());
        ps.setLong(6, ttl.toMillis());
        return holder(ps);
      }
    }, bound);
  }

  /** Until when a daemon may take {@code lapsed} (as {@link #lapsedDaemon()} found it) over. */
  public Instant takenOverBy(Holder lapsed) {
    return lapsed.expiresAt().plus(lapsed.stepped() ? afterStop() : ttl);
  }

  private Duration afterStop() {
    return ttl.multipliedBy(2).dividedBy(3);
  }

  private static Optional<Holder> holder(PreparedStatement ps) throws java.sql.SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next()
          ? Optional.of(new Holder(rs.getString(1), Role.valueOf(rs.getString(2)), Instant.ofEpochMilli(rs.getLong(3)),
              Instant.ofEpochMilli(rs.getLong(4))))
          : Optional.empty();
    }
  }

  /**
   * Whether other daemons may hold it: only on PostgreSQL. One SQLite file takes one serve (its
   * store lock); only an operator command holds the lease beside it.
   */
  public boolean shared() {
    return db.dialect() == Dialect.POSTGRESQL;
  }

  /** How long the lease lives without renewal. */
  public Duration ttl() {
    return ttl;
  }

  /** How long each of the lease's transactions may wait on the database: a quarter of its life. */
  public Duration bound() {
    return bound;
  }

  /**
   * {@link #bound()} of a lease of life {@code ttl}: also how long a node's own records, kept at its
   * lease's pace, may wait at its stop, which must end before systemd's TimeoutStopSec (review-s12e F3).
   */
  public static Duration bound(Duration ttl) {
    return ttl.dividedBy(4);
  }

  /** This holder's name, as {@link Holder#holder()} shows it. */
  public String me() {
    return me;
  }
}
