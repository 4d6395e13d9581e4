package com.fulcrumscim.db;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;
import org.slf4j.LoggerFactory;

/**
 * The bridge's SQLite file. All writes go through one writer thread that commits them in groups:
 * concurrent requests never meet SQLITE_BUSY, and one durable fsync covers many requests. Each
 * write runs inside its own savepoint, so one failing request rolls back alone; a caller hears
 * back only after the commit that holds its write.
 */
final class SqliteEngine implements Engine {
  private static final Logger log = LoggerFactory.getLogger(SqliteEngine.class);
  private static final int MAX_GROUP = 256;
  private static final int READERS = 4;

  private record WriteTask<T>(Database.Work<T> work, CompletableFuture<T> result) {}

  private final Path path;
  /** The file's {@link FileIdentity} when it was opened: the file every connection here has open. */
  private final Object identity;
  private final Connection writeConnection;
  private final BlockingQueue<WriteTask<?>> writes = new LinkedBlockingQueue<>();
  /** Queued by {@link #close}: an idle writer sees it is closed now, not at its next poll (up to 200 ms on). */
  private final WriteTask<Void> wake = new WriteTask<>(c -> null, new CompletableFuture<>());
  private final BlockingQueue<Connection> readers;
  private final Thread writer;
  private volatile boolean closed;
  /** Set once the writer loop has ended (closed, or died): why every write is refused from then on. */
  private volatile DatabaseUnavailableException stopped;
  /** Why the last commit failed; null once one succeeds. What readiness reports without writing. */
  private volatile String lastCommitFailure;

  private SqliteEngine(Path path, Object identity, Connection writeConnection, BlockingQueue<Connection> readers)
      throws SQLException {
    this.path = path;
    this.identity = identity;
    this.writeConnection = writeConnection;
    this.readers = readers;
    this.writer = new Thread(this::writeLoop, "sqlite-writer");
    this.writer.setDaemon(true);
    if (writeConnection != null) {
      leaveAutoCommit(writeConnection);
      this.writer.start();
    }
  }

  /**
   * The writer says BEGIN IMMEDIATE, COMMIT and ROLLBACK itself instead of through JDBC: sqlite-jdbc's
   * {@code commit()} runs COMMIT and then at once BEGIN IMMEDIATE, so when another process (the CLI,
   * {@code sqlite3}, a backup) took the write lock in between and held it past the busy timeout,
   * the call failed after its COMMIT had succeeded and a durable group was answered as failed.
   * Out of JDBC's autocommit mode all the same: in it, sqlite-jdbc tries a {@code begin;} after
   * every statement that returns no row, one step more for each statement of each write. Leaving
   * that mode makes the driver begin a transaction, committed here; from then on the connection is
   * in a transaction only during a group, and other processes can write between groups.
   */
  private static void leaveAutoCommit(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement commit = c.prepareStatement("COMMIT")) {
      commit.execute();
    }
  }

  /**
   * Opens (creating with mode 0600 if needed), checks and migrates the database at {@code path}:
   * what {@code serve} and {@code db migrate} do, and nothing else may, so an older daemon's file is
   * never migrated under it by a newer CLI. A damaged file is refused with
   * {@link DatabaseCorruptException} before anything is served: left running, every write would
   * answer 500 until someone noticed.
   */
  static SqliteEngine open(Path path) {
    Path absolute = path.toAbsolutePath();
    try {
      createPrivateFile(absolute);
      Object identity = FileIdentity.of(absolute); // before the connections: a rename in between reads as replaced
      Connection writeConnection = connect(url(absolute), Database.Access.READ_WRITE);
      requireIntact(writeConnection, absolute);
      try {
        Migrations.apply(writeConnection, Dialect.SQLITE);
      } catch (SchemaVersionException | MigrationRefusedException e) {
        writeConnection.close();
        throw e;
      }
      return new SqliteEngine(absolute, identity, writeConnection, readers(absolute));
    } catch (SQLException e) {
      if (isCorruption(e)) {
        throw corrupt(absolute, e.getMessage(), e);
      }
      throw new DatabaseException("cannot open database " + path + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DatabaseException("cannot open database " + path + ": " + fileProblem(e), e);
    }
  }

  /**
   * The JDK's file exceptions tell what went wrong by their type; their message is only the path
   * ("cannot open database /srv/data/b.db: /srv/data" for a directory it may not create).
   */
  static String fileProblem(IOException e) {
    if (e instanceof AccessDeniedException denied) {
      return "permission denied on " + denied.getFile();
    }
    if (e instanceof NoSuchFileException missing) {
      return "no such file or directory " + missing.getFile();
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason().toLowerCase(Locale.ROOT) + ": " + fs.getFile();
    }
    return e.getMessage();
  }

  /** {@code PRAGMA quick_check}: the page-level half of integrity_check, fast enough for every start. */
  private static void requireIntact(Connection c, Path file) throws SQLException {
    List<String> problems = quickCheck(c);
    if (!problems.equals(List.of("ok"))) {
      c.close();
      throw corrupt(file, String.join("; ", problems), null);
    }
  }

  /** What {@code PRAGMA quick_check} finds, at most five problems; {@code ["ok"]} for none. */
  static List<String> quickCheck(Connection c) throws SQLException {
    List<String> problems = new ArrayList<>();
    try (Statement s = c.createStatement(); var rs = s.executeQuery("PRAGMA quick_check(5)")) {
      while (rs.next()) {
        problems.add(rs.getString(1));
      }
    }
    return problems;
  }

  static boolean isCorruption(SQLException e) {
    int primary = e.getErrorCode() & 0xff;
    return primary == 11 /* SQLITE_CORRUPT */ || primary == 26 /* SQLITE_NOTADB */;
  }

  private static DatabaseCorruptException corrupt(Path file, String detail, Throwable cause) {
    return new DatabaseCorruptException("database " + file + " is corrupt (" + detail.replaceAll("\\s+", " ")
        + "); not starting: restore it from a backup or move it aside", cause);
  }

  /**
   * Opens an existing database without creating or migrating it; its schema must be the one this
   * build knows ({@link SchemaVersionException} otherwise, telling which side to upgrade).
   */
  static SqliteEngine openExisting(Path path, Database.Access access) {
    Path absolute = path.toAbsolutePath();
    if (!Files.isRegularFile(absolute)) {
      throw new DatabaseException("no database at " + absolute + "; `fulcrum-scim serve` (or `db migrate`) creates it", null);
    }
    try {
      Object identity = FileIdentity.of(absolute); // before the connections: a rename in between reads as replaced
      Connection writeConnection = access == Database.Access.READ_WRITE ? connect(url(absolute), Database.Access.READ_WRITE) : null;
      BlockingQueue<Connection> readers = readers(absolute);
      try {
        Migrations.requireCurrent(readers.peek(), Dialect.SQLITE, absolute.toString());
      } catch (SchemaVersionException | SQLException e) {
        for (Connection c : readers) {
          c.close();
        }
        if (writeConnection != null) {
          writeConnection.close();
        }
        throw e;
      }
      return new SqliteEngine(absolute, identity, writeConnection, readers);
    } catch (SQLException e) {
      SqliteDirectory.unopenable(absolute, e).ifPresent(problem -> {
        throw new DatabaseException(problem, e);
      });
      throw new DatabaseException("cannot open database " + path + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DatabaseException("cannot open database " + path + ": " + fileProblem(e), e);
    }
  }

  /** The schema version of the file at {@code path}; 0 when there is none yet. */
  static int schemaVersion(Path path) {
    if (!Files.exists(path)) {
      return 0;
    }
    try (Connection c = connect(url(path.toAbsolutePath()), Database.Access.READ_ONLY)) {
      return Migrations.versions(c, Dialect.SQLITE).found();
    } catch (SQLException e) {
      throw new DatabaseException("cannot open database " + path + ": " + e.getMessage(), e);
    }
  }

  private static String url(Path absolute) {
    return "jdbc:sqlite:" + absolute;
  }

  private static BlockingQueue<Connection> readers(Path absolute) throws SQLException {
    BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    for (int i = 0; i < READERS; i++) {
      Connection reader = connect(url(absolute), Database.Access.READ_ONLY);
      try (Statement s = reader.createStatement()) {
        s.execute("PRAGMA query_only = ON");
      }
      readers.add(reader);
    }
    return readers;
  }

  /**
   * Makes the file at {@code file}, mode 0600, unless it is there. A symbolic link to a file not made yet
   * makes the file it names, as that path would be made: creating the link's own name (O_EXCL follows
   * no link) failed as already there, and serve never started (review-s14c F2). The link's own
   * directory is made, never the target's ({@link SqliteDirectory#problem} refuses a missing one).
   */
  private static void createPrivateFile(Path file) throws IOException {
    Path parent = file.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path named = SqliteDirectory.real(file);
    try {
      Files.createFile(named, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException alreadyThere) {
      // an existing database keeps the mode its operator gave it
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(named);
    }
  }

  static Connection connect(String url, Database.Access access) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    // Readers never create the file: only open() does, with mode 0600.
    config.resetOpenMode(SQLiteOpenMode.CREATE);
    config.setReadOnly(access == Database.Access.READ_ONLY);
    // Otherwise every INSERT compiles and runs a second statement (last_insert_rowid()) whose key
    // nothing reads: inserts that need theirs say RETURNING.
    config.setGetGeneratedKeys(false);
    if (access == Database.Access.READ_WRITE) {
      // Take the write lock when the transaction begins: a transaction that read first and then
      // wrote could not wait for another process (the CLI beside the daemon) and would fail BUSY.
      config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    }
    Connection c = DriverManager.getConnection(url, config.toProperties());
    try (Statement s = c.createStatement()) {
      if (access == Database.Access.READ_WRITE) {
        s.execute("PRAGMA journal_mode = WAL");
        // Each write runs in a savepoint, whose undo copies of the pages it changes SQLite moves into a
        // temporary file (made and deleted again) past 64 KiB: an intake write, which changes a dozen
        // or more pages (its row, indexes, journal and work rows), often got there. Kept in memory.
        s.execute("PRAGMA temp_store = MEMORY");
      }
      // FULL: a commit is on disk before the caller is answered, so an acknowledged change survives a power cut.
      s.execute("PRAGMA synchronous = FULL");
      s.execute("PRAGMA foreign_keys = ON");
      // Other processes (the CLI while the daemon runs) wait rather than fail.
      s.execute("PRAGMA busy_timeout = 10000");
    }
    return StatementCache.wrap(c);
  }

  Path path() {
    return path;
  }

  /**
   * Whether another file took this one's name since it was opened (a restore renames its file onto
   * {@code storage.path}, or it is gone): what is written here then reaches a file no one reads.
   */
  boolean replaced() {
    try {
      return !identity.equals(FileIdentity.of(path));
    } catch (NoSuchFileException gone) {
      return true;
    } catch (IOException e) {
      throw new DatabaseException("cannot read " + path + ": " + fileProblem(e), e);
    }
  }

  /**
   * Writes a consistent copy of the database at {@code source} to {@code target}, a new file of
   * mode 0600, while others keep writing: {@code VACUUM INTO} reads one snapshot, so the copy holds
   * every commit up to a moment and none after it. Safe beside a running daemon; takes no write
   * lock. It copies pages, whatever the schema version.
   */
  static void copy(Path source, Path target) {
    Path absolute = target.toAbsolutePath();
    Path directory = absolute.getParent();
    // no directory is made: a typo in the path (a cron line, a mount point not mounted) would put the
    // copy somewhere no one looks, in directories made with root's umask
    if (directory != null && !Files.isDirectory(directory)) {
      throw new DatabaseException("cannot create " + absolute + ": directory " + directory
          + (Files.exists(directory) ? " is not a directory" : " does not exist") + " (backup makes no directories)", null);
    }
    try {
      // Even an empty file made beforehand (mktemp, touch, a symlink) is refused: VACUUM INTO would
      // fill it and the copy, every SCIM request and the token hashes, would keep that file's mode
      createNewPrivateFile(absolute);
    } catch (FileAlreadyExistsException e) {
      throw new DatabaseException(absolute + " already exists: give a new file name (a backup never writes into an "
          + "existing file, even an empty one)", e);
    } catch (IOException e) {
      throw new DatabaseException("cannot create " + absolute + ": " + fileProblem(e) + writableBy(e, directory), e);
    }
    try (Connection c = connect(url(source), Database.Access.READ_ONLY);
        PreparedStatement vacuum = c.prepareStatement("VACUUM INTO ?")) {
      vacuum.setString(1, absolute.toString());
      vacuum.executeUpdate();
      try (FileChannel file = FileChannel.open(absolute, StandardOpenOption.WRITE)) {
        file.force(true);
      }
    } catch (SQLException | IOException e) {
      try {
        Files.deleteIfExists(absolute);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw new DatabaseException("backup to " + absolute + " failed: " + e.getMessage(), e);
    }
    syncDirectory(directory, "the backup is written");
  }

  private static String writableBy(IOException e, Path directory) {
    return e instanceof AccessDeniedException && directory != null
        ? " (give the user that runs backup a directory of its own, e.g. `install -d -o fulcrum-scim -g fulcrum-scim "
            + "-m 0700 " + directory + "`)"
        : "";
  }

  private static void createNewPrivateFile(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    }
  }

  /**
   * Syncs {@code directory} after a file was created or renamed in it ({@code done} says what, for
   * the warning): a name is an entry of its directory, and without this a power cut after "exit 0"
   * could undo it. Best effort: the work is done, and some file systems refuse to sync a directory
   * (or the user may write in it but not read it), which the operator hears of but does not fail on.
   */
  static void syncDirectory(Path directory, String done) {
    if (directory == null) {
      return;
    }
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      log.warn("{}, but its directory {} could not be synced to disk: {}", done, directory, fileProblem(e));
    }
  }

  /**
   * Why a write would fail now, found without writing (a probe may run every second): closed,
   * opened read-only, the writer thread gone, the file or its directory (where SQLite keeps the
   * WAL) not writable, or the last commit failed and none succeeded since. Empty: writable.
   */
  @Override
  public Optional<String> writeProblem() {
    if (closed) {
      return Optional.of("database is closed");
    }
    if (writeConnection == null) {
      return Optional.of("database is open read-only");
    }
    if (stopped != null) {
      return Optional.of(stopped.getMessage());
    }
    if (!writer.isAlive()) {
      return Optional.of("the database writer thread stopped");
    }
    if (!Files.isWritable(path) || (path.getParent() != null && !Files.isWritable(path.getParent()))) {
      return Optional.of(path + " or its directory is not writable");
    }
    return Optional.ofNullable(lastCommitFailure);
  }

  /** Runs {@code work} in a write transaction and returns once that transaction is committed. */
  @Override
  public <T> T write(Database.Work<T> work) {
    if (Thread.currentThread() == writer) {
      // e.g. from a callback on a commit's future: the writer would wait for itself forever
      throw new IllegalStateException("a write waited for on the database writer thread itself; use writeLater");
    }
    return await(writeLater(work));
  }

  /** Queues {@code work} for the writer thread, whose FIFO queue keeps each thread's writes in order. */
  @Override
  public <T> CompletableFuture<T> writeLater(Database.Work<T> work) {
    if (writeConnection == null) {
      throw new DatabaseException("database " + path + " is open read-only", null);
    }
    if (closed) {
      throw DatabaseUnavailableException.closed();
    }
    DatabaseUnavailableException refusal = stopped;
    if (refusal != null) {
      return CompletableFuture.failedFuture(refusal);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    writes.add(new WriteTask<>(work, result));
    if (stopped != null) {
      // The writer ended between the check above and the add, and may have emptied the queue
      // before this task was in it: nobody else would complete it.
      failQueued();
    }
    return result;
  }

  /**
   * Runs {@code work} in one read transaction on a read-only connection: it sees the database as
   * of its first statement, every write committed before that and none after. Once closed (its
   * connections with it), refused as writes are: a request still in flight is not at fault.
   */
  @Override
  public <T> T read(Database.Work<T> work) {
    if (closed) {
      throw DatabaseUnavailableException.closed();
    }
    Connection c;
    try {
      c = readers.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatabaseException("interrupted waiting for a read connection", e);
    }
    try {
      // Out of autocommit (sqlite-jdbc: BEGIN, deferred): the first statement takes the WAL snapshot
      // every later one reads, so a commit of the writer between two statements is not seen halfway.
      c.setAutoCommit(false);
      return work.run(c);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      if (closed) {
        throw DatabaseUnavailableException.closed(); // its connection was closed under it
      }
      throw new DatabaseException("read failed: " + e.getMessage(), e);
    } finally {
      endRead(c);
      readers.add(c);
    }
  }

  /** Back in autocommit (sqlite-jdbc: COMMIT), so the next read on {@code c} sees what was committed since. */
  private void endRead(Connection c) {
    try {
      c.setAutoCommit(true);
    } catch (SQLException e) {
      if (!closed) {
        log.warn("ending a read transaction: {}", e.getMessage());
      }
    }
  }

  private static <T> T await(CompletableFuture<T> result) {
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatabaseException("interrupted waiting for a commit", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new DatabaseException("write failed: " + cause.getMessage(), cause);
    }
  }

  private void writeLoop() {
    List<WriteTask<?>> group = new ArrayList<>();
    Throwable death = null;
    try {
      while (!closed || !writes.isEmpty()) {
        WriteTask<?> first = writes.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (first == null || first == wake) {
          continue;
        }
        group.add(first);
        writes.drainTo(group, MAX_GROUP - 1);
        group.removeIf(t -> t == wake);
        commitGroup(group);
        group.clear();
      }
    } catch (Throwable e) {
      // interrupted (nothing does that on purpose), or an Error outside a write's own savepoint (out
      // of memory in the driver, a missing native method): the thread ends either way
      death = e;
    } finally {
      stop(death, group);
    }
  }

  /**
   * Refuses every write from now on and fails those waiting ({@code inFlight}: the group being
   * committed when the writer died, which was not committed): a caller of {@link #write} would
   * otherwise wait forever while HTTP keeps accepting. {@code death} null: a clean close.
   */
  private void stop(Throwable death, List<WriteTask<?>> inFlight) {
    stopped = death == null ? DatabaseUnavailableException.closed()
        : new DatabaseUnavailableException("the database writer stopped (" + death
            + "); writes are refused until fulcrum-scim is restarted", death);
    inFlight.forEach(t -> t.result().completeExceptionally(stopped));
    failQueued();
    if (death != null) {
      log.error("the database writer stopped ({}); every write is refused until fulcrum-scim is restarted",
          death.toString(), death);
      try {
        // a group cut short would otherwise keep the write lock from every other process
        execute("ROLLBACK");
      } catch (Throwable noTransaction) {
        // none was open, or the connection is past using; the process is to be restarted either way
      }
    }
  }

  /** Fails every write still queued with the reason the writer stopped; safe from any thread. */
  private void failQueued() {
    for (WriteTask<?> task; (task = writes.poll()) != null; ) {
      task.result().completeExceptionally(stopped);
    }
  }

  private void commitGroup(List<WriteTask<?>> group) {
    List<Runnable> completions = new ArrayList<>(group.size());
    boolean begun = false;
    try {
      execute("BEGIN IMMEDIATE");
      begun = true;
      for (WriteTask<?> task : group) {
        completions.add(runInSavepoint(task));
      }
      execute("COMMIT");
    } catch (SQLException | RuntimeException e) {
      log.error("commit of {} writes failed: {}", group.size(), e.toString());
      if (begun) {
        try {
          execute("ROLLBACK");
        } catch (SQLException rollbackFailure) {
          // e.g. SQLite already rolled back on its own (a full disk, an I/O error)
          e.addSuppressed(rollbackFailure);
        }
      }
      lastCommitFailure = "the last commit failed: " + e.getMessage();
      DatabaseException failure = new DatabaseException("commit failed: " + e.getMessage(), e);
      group.forEach(t -> t.result().completeExceptionally(failure));
      return;
    }
    lastCommitFailure = null;
    completions.forEach(Runnable::run);
  }

  private <T> Runnable runInSavepoint(WriteTask<T> task) throws SQLException {
    execute("SAVEPOINT w");
    try {
      T value = task.work().run(writeConnection);
      execute("RELEASE w");
      return () -> task.result().complete(value);
    } catch (Exception | Error e) {
      execute("ROLLBACK TO w");
      execute("RELEASE w");
      return () -> task.result().completeExceptionally(e);
    }
  }

  /** Prepared, not executed as text: the connection keeps it, and a write runs two or four of these. */
  private void execute(String sql) throws SQLException {
    try (PreparedStatement statement = writeConnection.prepareStatement(sql)) {
      statement.execute();
    }
  }

  @Override
  public Dialect dialect() {
    return Dialect.SQLITE;
  }

  @Override
  public void close() {
    closed = true;
    writes.offer(wake);
    try {
      if (writer.isAlive()) {
        writer.join(10_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Connection> all = new ArrayList<>(readers);
    if (writeConnection != null) {
      all.add(writeConnection);
    }
    for (Connection c : all) {
      try {
        c.close();
      } catch (SQLException | RuntimeException e) {
        // RuntimeException: a writer still running after the wait above may be using its kept statements
        log.warn("closing database connection: {}", e.toString());
      }
    }
  }
}
