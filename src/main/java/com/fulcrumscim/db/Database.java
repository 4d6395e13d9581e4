package com.fulcrumscim.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The bridge's store: a SQLite file ({@link SqliteEngine}: one writer thread, group commit) or a
 * PostgreSQL database shared by several nodes ({@link PostgresEngine}). Callers see the same
 * contract on both: {@link #write} returns only once its transaction is durably committed, and a
 * failing write rolls back alone; {@link #read} sees one moment: every write committed before its
 * first statement, none after, however many of its own statements it runs.
 */
public final class Database implements AutoCloseable {
  /** A unit of work on a connection; may throw any exception, which reaches the caller as-is. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws Exception;
  }

  /** How an operator command opens a database that {@code serve} created. */
  public enum Access {
    /** Reads only: no write lock, no writer thread; {@link #write} fails. */
    READ_ONLY,
    /** Reads and writes beside the daemon. */
    READ_WRITE
  }

  private final StoreLocation location;
  private final Engine engine;
  private final NewerSchema newerSchema = new NewerSchema();

  private Database(StoreLocation location, Engine engine) {
    this.location = location;
    this.engine = engine;
  }

  /**
   * Opens (creating a SQLite file with mode 0600 if needed), checks and migrates the store: what
   * {@code serve} and {@code db migrate} do, and nothing else may, so an older daemon's schema is
   * never migrated under it by a newer CLI. Nor by a newer {@code serve}: a schema to migrate while
   * another process holds a live writer lease waits for that lease to expire, and is refused with
   * {@link MigrationRefusedException} when its holder renews it (or another takes it) meanwhile. A
   * damaged SQLite file is refused with {@link DatabaseCorruptException} before anything is served:
   * left running, every write would answer 500 until someone noticed.
   */
  public static Database open(StoreLocation location) {
    if (location instanceof StoreLocation.Postgres p) {
      return new Database(p, PostgresEngine.open(p, Access.READ_WRITE, true));
    }
    return new Database(location, SqliteEngine.open(((StoreLocation.SqliteFile) location).path()));
  }

  public static Database open(Path path) {
    return open(new StoreLocation.SqliteFile(path.toAbsolutePath()));
  }

  /**
   * Opens an existing store without creating or migrating it; its schema must be the one this
   * build knows ({@link SchemaVersionException} otherwise, telling which side to upgrade).
   */
  public static Database openExisting(StoreLocation location, Access access) {
    if (location instanceof StoreLocation.Postgres p) {
      return new Database(p, PostgresEngine.open(p, access, false));
    }
    return new Database(location, SqliteEngine.openExisting(((StoreLocation.SqliteFile) location).path(), access));
  }

  public static Database openExisting(Path path, Access access) {
    return openExisting(new StoreLocation.SqliteFile(path.toAbsolutePath()), access);
  }

  /** Creates or migrates the store; answers the schema version it had before (0: new) and the one it has now. */
  public static Migrations.Versions migrate(StoreLocation location) {
    int before = location instanceof StoreLocation.Postgres p ? PostgresEngine.schemaVersion(p)
        : SqliteEngine.schemaVersion(((StoreLocation.SqliteFile) location).path());
    try (Database db = open(location)) {
      Dialect dialect = db.dialect();
      return new Migrations.Versions(before, db.read(c -> Migrations.versions(c, dialect)).found());
    }
  }

  public static Migrations.Versions migrate(Path path) {
    return migrate(new StoreLocation.SqliteFile(path.toAbsolutePath()));
  }

  public StoreLocation location() {
    return location;
  }

  public Dialect dialect() {
    return engine.dialect();
  }

  /** The SQLite file; a PostgreSQL store has none. */
  public Path path() {
    if (engine instanceof SqliteEngine sqlite) {
      return sqlite.path();
    }
    throw new DatabaseException(location.describe() + " is a PostgreSQL database, not a file", null);
  }

  /**
   * Whether the SQLite file this store has open is no longer the one at its path: a restore renamed
   * another onto it since it was opened. Never on PostgreSQL, which has no file to replace.
   */
  public boolean replacedSinceOpened() {
    return engine instanceof SqliteEngine sqlite && sqlite.replaced();
  }

  /**
   * Why a write would fail now, found without writing (a probe may run every second). Empty: writable.
   */
  public Optional<String> writeProblem() {
    return engine.writeProblem();
  }

  /**
   * Set when a newer release migrated this database since this process opened it: such a process
   * must neither lead nor take intake (it knows nothing of the new schema's rules). What to do, in words.
   * The verdict is kept: {@link #writeOnKnownSchema} refuses on it.
   */
  public Optional<String> newerSchema() {
    return newerSchema(PROBE_BOUND);
  }

  /** {@link #newerSchema()}, failing rather than waiting much longer than {@code bound} on PostgreSQL. */
  public Optional<String> newerSchema(Duration bound) {
    return read(c -> newerSchema.look(c, dialect()), bound);
  }

  /**
   * {@link #write} for a SCIM change, which a process must not store once a newer release migrated
   * the database (its old code leaves the new schema's columns unset, review-s13e F1): refused with a
   * {@link SchemaVersionException} when the last look found it so ({@link #newerSchema}, no query),
   * and on PostgreSQL, where another node migrates while this one runs, when the transaction's first
   * statement finds it so. A migration locks the version until it commits ({@link Migrations}), so no
   * change slips in between. On SQLite no other process migrates while {@code serve} runs (it holds
   * the file's {@link StoreLock}): no statement of its own.
   */
  public <T> T writeOnKnownSchema(Work<T> work) {
    newerSchema.refuseIfSeen();
    if (dialect() != Dialect.POSTGRESQL) {
      return write(work);
    }
    return write(c -> {
      newerSchema.look(c, Dialect.POSTGRESQL);
      newerSchema.refuseIfSeen();
      return work.run(c);
    });
  }

  /** How long a probe ({@code /readyz}'s reads, {@link #newerSchema()}) may wait on PostgreSQL. */
  public static final Duration PROBE_BOUND = Duration.ofSeconds(10);

  /** Runs {@code work} in a write transaction and returns once that transaction is committed. */
  public <T> T write(Work<T> work) {
    return engine.write(work);
  }

  /**
   * Starts {@code work} as a write transaction and answers at once on SQLite (its writer thread
   * commits it with the next group); the future completes when it is committed. Writes started by
   * one thread commit in the order started, so a caller can go on while its bookkeeping commits.
   */
  public <T> CompletableFuture<T> writeLater(Work<T> work) {
    return engine.writeLater(work);
  }

  /**
   * Runs {@code work} in one read-only transaction: all its statements see the database as of the
   * first one (every write committed before it), so what they read together agrees.
   */
  public <T> T read(Work<T> work) {
    return engine.read(work);
  }

  /**
   * {@link #read} for code that reads through stores, each of which makes its own reads: every read
   * made through the {@link Database} {@code reads} is given runs within this one read (its
   * connection, its transaction), so all see the same moment and counts taken apart add up however
   * much others commit meanwhile. Writes through it fail.
   */
  public <T> T inOneRead(Function<Database, T> reads) {
    return engine.read(oneRead(reads));
  }

  /** {@link #inOneRead}, bounded as {@link #read(Work, Duration)} is: for a probe that must answer in time. */
  public <T> T inOneRead(Function<Database, T> reads, Duration bound) {
    return engine.read(oneRead(reads), bound);
  }

  private <T> Work<T> oneRead(Function<Database, T> reads) {
    Dialect dialect = dialect();
    return c -> {
      try {
        return reads.apply(new Database(location, new OneRead(c, dialect)));
      } catch (OneRead.Failed e) {
        throw e.unwrapped();
      }
    };
  }

  /**
   * {@link #write}, failing (a {@link DatabaseException}) rather than waiting much longer than
   * {@code bound} on PostgreSQL: for a few short statements that must give up in time (the writer
   * lease's, the readiness probe's), where the default bound would be far too long. When every
   * pooled connection is in use (SCIM requests waiting on another node's row lock, say) it takes
   * one held in reserve for these, instead of queueing behind them. On SQLite, {@link #write}.
   */
  public <T> T write(Work<T> work, Duration bound) {
    return engine.write(work, bound);
  }

  /** {@link #read}, bounded as {@link #write(Work, Duration)} is. */
  public <T> T read(Work<T> work, Duration bound) {
    return engine.read(work, bound);
  }

  @Override
  public void close() {
    engine.close();
  }
}
