package com.fulcrumscim.db;

import java.io.IOException;
import java.time.Duration;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL database that several bridge nodes share. Every write is one transaction on a
 * pooled connection and returns only after its COMMIT, which with synchronous_commit on is
 * durable (and on the synchronous standbys, when there are any); PostgreSQL orders the
 * writers of all nodes with row locks and unique indexes, so no write is funnelled through one
 * thread here. A write that loses a serialization race or a deadlock (SQLState 40001, 40P01)
 * runs again from the start, a bounded number of times, none starting later than
 * {@link #RACE_WINDOW} after the first. Every read is one REPEATABLE READ, READ
 * ONLY transaction: all its statements see the database as of its first one, as a SQLite read
 * does, so counts add up, a page agrees with its total and a group with its version, however many
 * nodes commit meanwhile.
 */
final class PostgresEngine implements Engine {
  private static final Logger log = LoggerFactory.getLogger(PostgresEngine.class);
  /** Plain JDBC: a handful of connections per node is what one SCIM receiver and one reconciler use. */
  static final int POOL_SIZE = 8;
  static final int MAX_ATTEMPTS = 5;
  /**
   * How long after a write began it may start again when it lost a race (SQLState 40001, 40P01);
   * past that (or its caller's shorter bound) it fails at once. Each attempt may first wait for the
   * row locks it then loses on, a deadlock a second or more (deadlock_timeout), so five of them
   * held a SCIM request far longer than a client waits, and its 503 came when nobody read it.
   */
  static final Duration RACE_WINDOW = Duration.ofSeconds(5);
  private static final Duration BORROW_TIMEOUT = Duration.ofSeconds(30);
  /** How long opening a connection may take (pgjdbc's connectTimeout). */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /**
   * How long a statement waits for the server's next bytes before its connection is given up
   * (pgjdbc's socketTimeout; its default is forever). A server that vanished without a reset (host
   * gone, packets dropped: a failover behind a virtual IP) would otherwise hold the statement and its
   * pooled connection until TCP gives up, 15 minutes or more, with intake and /readyz hanging on
   * it. It must outlast every legitimate silence: the bridge's statements touch a few thousand rows
   * at most, and the longest wait is for a row or append lock another node holds, which the server
   * ends after {@link #IDLE_IN_TRANSACTION} if that node is gone. Migrations, which may wait for
   * another node's and build indexes on big tables, have no bound (see {@link #open}).
   */
  static final Duration SOCKET_TIMEOUT = Duration.ofMinutes(2);
  /** pgjdbc applies a network timeout at once; the executor it asks for is not used. */
  private static final Executor DIRECT = Runnable::run;
  /**
   * The server ends a session left inside a transaction this long: a node that dies or hangs while
   * holding a row lock (the call log's) or the append lock would otherwise block every node until
   * TCP keepalive notices, hours later. Inside a transaction the bridge waits on nothing outside the
   * database but its own CPU (a SCIM change another node overtook is computed again there, on its
   * row locked; the PATCH bounds keep that far below a minute), so a minute idle in one means the
   * node is gone.
   */
  static final Duration IDLE_IN_TRANSACTION = Duration.ofSeconds(60);

  /**
   * What a pooled session is set up for, in its session defaults: a transaction then begins with
   * the BEGIN pgjdbc sends ahead of its first statement, in the same round trip, and a read costs
   * one round trip more than its statements in autocommit (its COMMIT), not two or three (a SET
   * TRANSACTION of its own, or setting the session's level and setting it back for the write that
   * gets the session next). A session changes use (one statement) only when none set up for the use
   * asked for is idle, so sessions settle into uses by demand.
   */
  enum Use {
    /** The server's defaults (READ COMMITTED; read-only only where the database says so), which writes rely on. */
    WRITE("RESET default_transaction_isolation; RESET default_transaction_read_only"),
    /** One snapshot for the whole read; READ ONLY, so a write slipped into a read fails instead of committing. */
    READ("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");

    private final String sessionDefaults;

    Use(String sessionDefaults) {
      this.sessionDefaults = sessionDefaults;
    }

    Use other() {
      return this == READ ? WRITE : READ;
    }
  }

  private final StoreLocation.Postgres location;
  private final Database.Access access;
  private final Duration idleInTransaction;
  /** Idle connections by what they are set up for; an empty slot is opened on demand. */
  private final Map<Use, BlockingQueue<Connection>> idle = new EnumMap<>(Map.of(
      Use.WRITE, new ArrayBlockingQueue<>(POOL_SIZE + 1), Use.READ, new ArrayBlockingQueue<>(POOL_SIZE + 1)));
  private final Semaphore permits = new Semaphore(POOL_SIZE, true);
  /**
   * One connection more, for the bounded transactions (the writer lease's) and the readiness probe
   * when the pool is full: SCIM requests waiting on a row lock another node holds can fill the pool
   * for as long as that node keeps it (a minute if it died), and a renewal queued behind them failed,
   * so a healthy leader stepped down, and the last node standing answered /readyz 503.
   */
  private final Semaphore reserve = new Semaphore(1, true);
  private volatile boolean closed;

  private PostgresEngine(StoreLocation.Postgres location, Database.Access access) {
    this(location, access, IDLE_IN_TRANSACTION);
  }

  /** {@code idleInTransaction}: {@link #IDLE_IN_TRANSACTION} but in tests. */
  PostgresEngine(StoreLocation.Postgres location, Database.Access access, Duration idleInTransaction) {
    this.location = location;
    this.access = access;
    this.idleInTransaction = idleInTransaction;
  }

  /** Connects, then migrates ({@code migrate}) or requires the schema this build knows. */
  static PostgresEngine open(StoreLocation.Postgres location, Database.Access access, boolean migrate) {
    PostgresEngine engine = new PostgresEngine(location, access);
    try {
      Connection c = engine.connect();
      try {
        if (migrate) {
          c.setNetworkTimeout(DIRECT, 0); // waits for another node's migration, builds indexes: may be long and silent
          Migrations.apply(c, Dialect.POSTGRESQL);
          c.setNetworkTimeout(DIRECT, millis(SOCKET_TIMEOUT));
        } else {
          Migrations.requireCurrent(c, Dialect.POSTGRESQL, location.describe());
        }
      } catch (RuntimeException | SQLException | IOException e) {
        c.close();
        throw e;
      }
      engine.idle.get(Use.WRITE).add(c);
      return engine;
    } catch (SQLException | IOException e) {
      throw new DatabaseException("cannot open database " + location.describe() + ": " + e.getMessage(), e);
    }
  }

  /** The schema version found at {@code location}; 0 for an empty database. */
  static int schemaVersion(StoreLocation.Postgres location) {
    try (Connection c = new PostgresEngine(location, Database.Access.READ_ONLY).connect()) {
      return Migrations.versions(c, Dialect.POSTGRESQL).found();
    } catch (SQLException e) {
      throw new DatabaseException("cannot open database " + location.describe() + ": " + e.getMessage(), e);
    }
  }

  /** The tables in the database's current schema, whoever made them. */
  static List<String> tables(StoreLocation.Postgres location) {
    try (Connection c = new PostgresEngine(location, Database.Access.READ_ONLY).connect();
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables "
            + "WHERE table_schema = current_schema() ORDER BY table_name")) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    } catch (SQLException e) {
      throw new DatabaseException("cannot open database " + location.describe() + ": " + e.getMessage(), e);
    }
  }

  Connection connect() throws SQLException {
    return connect(SOCKET_TIMEOUT);
  }

  /** A new session; {@code bound}, when shorter than the usual timeouts, is how long connecting and each statement may take. */
  private Connection connect(Duration bound) throws SQLException {
    Properties p = new Properties();
    if (location.username() != null && !location.username().isBlank()) {
      p.setProperty("user", location.username());
    }
    if (location.password() != null && !location.password().isEmpty()) {
      p.setProperty("password", location.password());
    }
    p.setProperty("ApplicationName", "fulcrum-scim");
    p.setProperty("connectTimeout", String.valueOf(seconds(min(bound, CONNECT_TIMEOUT))));
    p.setProperty("socketTimeout", String.valueOf(seconds(min(bound, SOCKET_TIMEOUT))));
    p.setProperty("tcpKeepAlive", "true");
    Connection c = DriverManager.getConnection(location.url(), p);
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW synchronous_commit")) {
      String mode = rs.next() ? rs.getString(1) : "";
      // off or local would answer a commit before it is durable (or on the standby): a 2xx must
      // mean the change survives. remote_write is weaker than on, not stronger (review-s17ha F8): the
      // synchronous standby has the commit in its OS, not flushed, so its OS crash right after a
      // failover loses a change answered 2xx. remote_apply, stronger, is kept.
      if (mode.equals("off") || mode.equals("local") || mode.equals("remote_write")) {
        s.execute("SET synchronous_commit = on");
      }
      s.execute("SET idle_in_transaction_session_timeout = " + idleInTransaction.toMillis());
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    if (access == Database.Access.READ_ONLY) {
      c.setReadOnly(true);
    }
    return c;
  }

  @Override
  public Dialect dialect() {
    return Dialect.POSTGRESQL;
  }

  @Override
  public <T> T write(Database.Work<T> work) {
    return write(work, SOCKET_TIMEOUT, false);
  }

  /** A bounded write may take the {@link #reserve} connection when the pool is full. */
  @Override
  public <T> T write(Database.Work<T> work, Duration bound) {
    return write(work, bound, true);
  }

  private <T> T write(Database.Work<T> work, Duration bound, boolean mayReserve) {
    if (access == Database.Access.READ_ONLY) {
      throw new DatabaseException("database " + location.describe() + " is open read-only", null);
    }
    long start = System.nanoTime();
    long deadline = start + bound.toNanos();
    long racesUntil = start + min(bound, RACE_WINDOW).toNanos();
    for (int attempt = 1; ; attempt++) {
      Duration within = attempt == 1 ? bound : left(deadline);
      Lent lent = borrow(within, Use.WRITE, mayReserve);
      Connection c = lent.connection();
      boolean broken = false;
      boolean committing = false;
      try {
        c.setAutoCommit(false);
        serverGivesUpWithin(c, within);
        T value = work.run(c);
        committing = true;
        c.commit();
        return value;
      } catch (Exception e) {
        broken = rollback(c, e);
        if (Dialect.isWriteConflict(e) && attempt < MAX_ATTEMPTS && pausedWithin(attempt, racesUntil)) {
          log.debug("write attempt {} lost a race ({}); running it again", attempt, e.getMessage());
          continue;
        }
        // Lost before COMMIT was sent, nothing of it can have committed: once more on a new session
        // (after a server restart every pooled one is dead). Lost during COMMIT, it may have: never.
        if (broken && !committing && attempt < MAX_ATTEMPTS && System.nanoTime() < deadline) {
          log.debug("write attempt {} lost its connection ({}); running it again on a new one", attempt, e.getMessage());
          continue;
        }
        if (e instanceof RuntimeException re) {
          throw re;
        }
        throw broken ? lost("write", e) : new DatabaseException("write failed: " + e.getMessage(), e);
      } finally {
        giveBack(lent, Use.WRITE, broken);
      }
    }
  }

  @Override
  public <T> T read(Database.Work<T> work) {
    return read(work, SOCKET_TIMEOUT, false);
  }

  /**
   * Runs {@code work} in one transaction on a {@link Use#READ} session: its statements share the
   * snapshot the first one takes. A read changes nothing, so one that lost its session runs again on
   * a new one; so does one that lost a serialization race, which a read-only transaction meets only
   * on a hot standby (replay removing rows its snapshot still sees).
   */
  @Override
  public <T> T read(Database.Work<T> work, Duration bound) {
    return read(work, bound, true);
  }

  private <T> T read(Database.Work<T> work, Duration bound, boolean mayReserve) {
    long deadline = System.nanoTime() + bound.toNanos();
    for (int attempt = 1; ; attempt++) {
      Duration within = attempt == 1 ? bound : left(deadline);
      Lent lent = borrow(within, Use.READ, mayReserve);
      Connection c = lent.connection();
      boolean broken = false;
      try {
        c.setAutoCommit(false);
        serverGivesUpWithin(c, within);
        T value = work.run(c);
        c.commit();
        return value;
      } catch (Exception e) {
        broken = rollback(c, e);
        boolean again = attempt < MAX_ATTEMPTS && System.nanoTime() < deadline;
        if (Dialect.isWriteConflict(e) && again && pausedWithin(attempt, deadline)) {
          log.debug("read attempt {} lost a race ({}); running it again", attempt, e.getMessage());
          continue;
        }
        if (broken && again) {
          continue;
        }
        if (e instanceof RuntimeException re) {
          throw re;
        }
        throw broken ? lost("read", e) : new DatabaseException("read failed: " + e.getMessage(), e);
      } finally {
        giveBack(lent, Use.READ, broken);
      }
    }
  }

  /**
   * A bounded transaction (the writer lease's) gives up on the server too (review-s6b F4): the
   * client's socket timeout alone left the session waiting on the lock it was stuck behind (a
   * migration's lock on the lease table, say) until that lock went, one session per attempt, and
   * the connection given up on cost the pool its idle ones. Ended by the server a little before
   * the socket times out, the statement fails with the session intact: rolled back, it goes back
   * to the pool. For this transaction only (SET LOCAL).
   */
  private static void serverGivesUpWithin(Connection c, Duration bound) throws SQLException {
    if (bound.compareTo(SOCKET_TIMEOUT) >= 0) {
      return;
    }
    // the margin is for the server's answer to arrive: a tenth, at most a quarter second
    long millis = Math.max(1, millis(bound) - Math.min(millis(bound) / 10, 250));
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL lock_timeout = " + millis + "; SET LOCAL statement_timeout = " + millis);
    }
  }

  /**
   * What is left of the bound for another attempt: a caller with a deadline (the lease's renewal)
   * gets no more in all, however many sessions the server dropped.
   */
  private static Duration left(long deadline) {
    return Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000));
  }

  /** Rolls back after {@code cause}; true when the connection itself is gone and must not be reused. */
  private static boolean rollback(Connection c, Exception cause) {
    try {
      c.rollback();
      return cause instanceof SQLException s && isConnectionLost(s);
    } catch (SQLException rollbackFailure) {
      cause.addSuppressed(rollbackFailure);
      return true;
    }
  }

  private static boolean isConnectionLost(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("08") || state.startsWith("57P"));
  }

  /**
   * Waits a little longer after each lost race, so racers fall out of step; false, without waiting,
   * when the next attempt would start after {@code until} (System.nanoTime).
   */
  private static boolean pausedWithin(int attempt, long until) {
    long millis = ThreadLocalRandom.current().nextLong(5L << attempt, 20L << attempt);
    if (until - System.nanoTime() < TimeUnit.MILLISECONDS.toNanos(millis)) {
      return false;
    }
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatabaseException("interrupted between attempts of a transaction", e);
    }
  }

  /** A borrowed connection and the permit it holds, given back together. */
  private record Lent(Connection connection, Semaphore permit) {}

  /**
   * A connection set up for {@code use} whose statements wait at most {@code bound} for the server
   * ({@link #giveBack} undoes a shorter one). {@code mayReserve}: when the pool is full, the
   * {@link #reserve} connection instead of a wait in the pool's queue.
   */
  private Lent borrow(Duration bound, Use use, boolean mayReserve) {
    if (closed) {
      throw DatabaseUnavailableException.closed();
    }
    Duration wait = min(bound, BORROW_TIMEOUT);
    Semaphore permit;
    if (mayReserve && permits.tryAcquire()) {
      permit = permits;
    } else {
      permit = mayReserve ? reserve : permits;
      try {
        if (!permit.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new DatabaseUnavailableException("no free database connection within " + wait.toMillis() + " ms", null);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DatabaseException("interrupted waiting for a database connection", e);
      }
    }
    if (closed) {
      // closed while this waited for a connection: it would open a new one on a pool that is gone
      permit.release();
      throw DatabaseUnavailableException.closed();
    }
    Connection c = idle.get(use).poll();
    try {
      if (c == null || c.isClosed()) {
        c = changedTo(use, idle.get(use.other()).poll(), bound);
      }
      if (c == null) {
        c = connect(bound);
        if (use != Use.WRITE) { // a new session has the server's defaults, a write's
          set(c, use);
        }
      }
      if (bound.compareTo(SOCKET_TIMEOUT) < 0) {
        c.setNetworkTimeout(DIRECT, millis(bound));
      }
      return new Lent(c, permit);
    } catch (SQLException e) {
      if (c != null) {
        closeQuietly(c);
      }
      permit.release();
      throw new DatabaseUnavailableException("cannot connect to " + location.describe() + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code idle}, a session of the other use (or null: none was idle), set up for {@code use}; null
   * when there was none, or when it was dead: a restart or failover ended it, and the idle ones
   * with it, which are dropped too.
   */
  private Connection changedTo(Use use, Connection idle, Duration bound) throws SQLException {
    if (idle == null) {
      return null;
    }
    try {
      if (bound.compareTo(SOCKET_TIMEOUT) < 0) {
        idle.setNetworkTimeout(DIRECT, millis(bound));
      }
      set(idle, use);
      return idle;
    } catch (SQLException e) {
      closeQuietly(idle);
      if (!isConnectionLost(e)) {
        throw e;
      }
      dropIdle();
      return null;
    }
  }

  private static void set(Connection c, Use use) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(use.sessionDefaults);
    }
  }

  /**
   * The server went away under a statement (restart, failover, network): nothing the caller asked
   * was wrong, and the same work may succeed once the server is back, so it is unavailability.
   */
  private DatabaseUnavailableException lost(String what, Exception e) {
    return new DatabaseUnavailableException(what + " failed: lost the connection to " + location.describe() + ": "
        + e.getMessage(), e);
  }

  /**
   * A broken connection takes the idle ones with it: the server ended one session most often by
   * ending them all (a restart, a failover), and each would fail the next statement given it.
   */
  private void giveBack(Lent lent, Use use, boolean broken) {
    Connection c = lent.connection();
    try {
      if (broken || closed) {
        closeQuietly(c);
        if (broken) {
          dropIdle();
        }
      } else {
        // Still in the transaction only when the work ended in an Error (a stack overflow, out of
        // memory), which the catch of write and read does not see: leaving autocommit would COMMIT
        // what it had done. Sends nothing when the transaction is over.
        if (!c.getAutoCommit()) {
          c.rollback();
        }
        c.setAutoCommit(true);
        if (c.getNetworkTimeout() != millis(SOCKET_TIMEOUT)) {
          c.setNetworkTimeout(DIRECT, millis(SOCKET_TIMEOUT));
        }
        idle.get(use).add(c);
      }
    } catch (SQLException e) {
      closeQuietly(c);
    } finally {
      lent.permit().release();
    }
  }

  private void dropIdle() {
    List<Connection> suspect = new ArrayList<>();
    idle.values().forEach(q -> q.drainTo(suspect));
    suspect.forEach(PostgresEngine::closeQuietly);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) < 0 ? a : b;
  }

  /** Whole seconds, rounded up: pgjdbc's properties count in seconds, and 0 would mean no limit. */
  private static long seconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }

  private static int millis(Duration d) {
    return (int) Math.max(1, d.toMillis());
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("closing a database connection: {}", e.getMessage());
    }
  }

  @Override
  public Optional<String> writeProblem() {
    if (closed) {
      return Optional.of("database is closed");
    }
    if (access == Database.Access.READ_ONLY) {
      return Optional.of("database is open read-only");
    }
    // A standby (say, the old primary after a failover) answers reads but refuses every write. Asked
    // in a write's transaction, on a write's session: a read's is read-only whatever the server says.
    // On the reserve when the pool is full: intake waiting on another node's row lock is no reason
    // to take this node out of the load balancer.
    try {
      return write(c -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW transaction_read_only")) {
          return rs.next() && "on".equals(rs.getString(1))
              ? Optional.of(location.describe() + " accepts no writes (a standby, or default_transaction_read_only is on)")
              : Optional.<String>empty();
        }
      }, SOCKET_TIMEOUT, true);
    } catch (RuntimeException e) {
      return Optional.of(e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    dropIdle();
  }
}
