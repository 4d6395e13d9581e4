package com.fulcrumscim.db;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.sqlite.SQLiteConfig;
import org.slf4j.LoggerFactory;

/**
 * The bridge's SQLite file. All writes go through one writer thread that commits them in groups:
 * concurrent requests never meet SQLITE_BUSY, and one durable fsync covers many requests. Each
 * write runs inside its own savepoint, so one failing request rolls back alone; a caller hears
 * back only after the commit that holds its write.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);
  private static final int MAX_GROUP = 256;
  private static final int READERS = 4;

  /** A unit of work on a connection; may throw any exception, which reaches the caller as-is. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws Exception;
  }

  private record WriteTask<T>(Work<T> work, CompletableFuture<T> result) {}

  private final Path path;
  private final Connection writeConnection;
  private final BlockingQueue<WriteTask<?>> writes = new LinkedBlockingQueue<>();
  private final BlockingQueue<Connection> readers;
  private final Thread writer;
  private volatile boolean closed;

  private Database(Path path, Connection writeConnection, BlockingQueue<Connection> readers) {
    this.path = path;
    this.writeConnection = writeConnection;
    this.readers = readers;
    this.writer = new Thread(this::writeLoop, "sqlite-writer");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /**
   * Opens (creating with mode 0600 if needed), checks and migrates the database at {@code path}.
   * A damaged file is refused with {@link DatabaseCorruptException} before anything is served: left
   * running, every write would answer 500 until someone noticed.
   */
  public static Database open(Path path) {
    Path absolute = path.toAbsolutePath();
    try {
      createPrivateFile(absolute);
      String url = "jdbc:sqlite:" + absolute;
      Connection writeConnection = connect(url, true);
      requireIntact(writeConnection, absolute);
      Migrations.apply(writeConnection);
      BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
      for (int i = 0; i < READERS; i++) {
        Connection reader = connect(url, false);
        try (Statement s = reader.createStatement()) {
          s.execute("PRAGMA query_only = ON");
        }
        readers.add(reader);
      }
      return new Database(absolute, writeConnection, readers);
    } catch (SQLException e) {
      if (isCorruption(e)) {
        throw corrupt(absolute, e.getMessage(), e);
      }
      throw new DatabaseException("cannot open database " + path + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DatabaseException("cannot open database " + path + ": " + e.getMessage(), e);
    }
  }

  /** {@code PRAGMA quick_check}: the page-level half of integrity_check, fast enough for every start. */
  private static void requireIntact(Connection c, Path file) throws SQLException {
    List<String> problems = new ArrayList<>();
    try (Statement s = c.createStatement(); var rs = s.executeQuery("PRAGMA quick_check(5)")) {
      while (rs.next()) {
        problems.add(rs.getString(1));
      }
    }
    if (!problems.equals(List.of("ok"))) {
      c.close();
      throw corrupt(file, String.join("; ", problems), null);
    }
  }

  private static boolean isCorruption(SQLException e) {
    int primary = e.getErrorCode() & 0xff;
    return primary == 11 /* SQLITE_CORRUPT */ || primary == 26 /* SQLITE_NOTADB */;
  }

  private static DatabaseCorruptException corrupt(Path file, String detail, Throwable cause) {
    return new DatabaseCorruptException("database " + file + " is corrupt (" + detail.replaceAll("\\s+", " ")
        + "); not starting: restore it from a backup or move it aside", cause);
  }

  private static void createPrivateFile(Path file) throws IOException {
    Path parent = file.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException alreadyThere) {
      // an existing database keeps the mode its operator gave it
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    }
  }

  private static Connection connect(String url, boolean writer) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    if (writer) {
      // Take the write lock when the transaction begins: a transaction that read first and then
      // wrote could not wait for another process (the CLI beside the daemon) and would fail BUSY.
      config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    }
    Connection c = DriverManager.getConnection(url, config.toProperties());
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode = WAL");
      // FULL: a commit is on disk before the caller is answered, so an acknowledged change survives a power cut.
      s.execute("PRAGMA synchronous = FULL");
      s.execute("PRAGMA foreign_keys = ON");
      // Other processes (the CLI while the daemon runs) wait rather than fail.
      s.execute("PRAGMA busy_timeout = 10000");
    }
    return c;
  }

  public Path path() {
    return path;
  }

  /** Runs {@code work} in a write transaction and returns once that transaction is committed. */
  public <T> T write(Work<T> work) {
    if (closed) {
      throw new DatabaseException("database is closed", null);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    writes.add(new WriteTask<>(work, result));
    return await(result);
  }

  /** Runs {@code work} on a read-only connection that sees every committed write. */
  public <T> T read(Work<T> work) {
    Connection c;
    try {
      c = readers.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatabaseException("interrupted waiting for a read connection", e);
    }
    try {
      return work.run(c);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new DatabaseException("read failed: " + e.getMessage(), e);
    } finally {
      readers.add(c);
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
    while (!closed || !writes.isEmpty()) {
      try {
        WriteTask<?> first = writes.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        writes.drainTo(group, MAX_GROUP - 1);
        commitGroup(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        group.clear();
      }
    }
  }

  private void commitGroup(List<WriteTask<?>> group) {
    List<Runnable> completions = new ArrayList<>(group.size());
    try (Statement s = writeConnection.createStatement()) {
      writeConnection.setAutoCommit(false);
      for (WriteTask<?> task : group) {
        completions.add(runInSavepoint(s, task));
      }
      writeConnection.commit();
      completions.forEach(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      log.error("commit of {} writes failed: {}", group.size(), e.toString());
      try {
        writeConnection.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      DatabaseException failure = new DatabaseException("commit failed: " + e.getMessage(), e);
      group.forEach(t -> t.result().completeExceptionally(failure));
    } finally {
      try {
        writeConnection.setAutoCommit(true);
      } catch (SQLException ignored) {
        // the next group sets it again
      }
    }
  }

  private <T> Runnable runInSavepoint(Statement s, WriteTask<T> task) throws SQLException {
    s.execute("SAVEPOINT w");
    try {
      T value = task.work().run(writeConnection);
      s.execute("RELEASE w");
      return () -> task.result().complete(value);
    } catch (Exception | Error e) {
      s.execute("ROLLBACK TO w");
      s.execute("RELEASE w");
      return () -> task.result().completeExceptionally(e);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Connection> all = new ArrayList<>(readers);
    all.add(writeConnection);
    for (Connection c : all) {
      try {
        c.close();
      } catch (SQLException e) {
        log.warn("closing database connection: {}", e.getMessage());
      }
    }
  }
}
