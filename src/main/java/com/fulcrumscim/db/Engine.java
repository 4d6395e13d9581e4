package com.fulcrumscim.db;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * How one kind of database runs {@link Database}'s writes and reads: {@link SqliteEngine} (one
 * writer thread, group commit) or {@link PostgresEngine} (a few pooled connections, one
 * transaction per write, retried on serialization failures).
 */
interface Engine extends AutoCloseable {
  <T> T write(Database.Work<T> work);

  /**
   * Starts {@code work} as a write transaction; the future completes once it is committed. Writes
   * started by one thread commit in the order started. By default the write is done before this
   * returns; an engine with a writer thread of its own answers at once.
   */
  default <T> CompletableFuture<T> writeLater(Database.Work<T> work) {
    try {
      return CompletableFuture.completedFuture(write(work));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  <T> T read(Database.Work<T> work);

  /**
   * {@link #write}, failing rather than waiting longer than about {@code bound} on the database
   * server. A local file has no network to hang on: by default the bound is not needed.
   */
  default <T> T write(Database.Work<T> work, Duration bound) {
    return write(work);
  }

  /** {@link #read}, bounded as {@link #write(Database.Work, Duration)} is. */
  default <T> T read(Database.Work<T> work, Duration bound) {
    return read(work);
  }

  /** Why a write would fail now, found without writing; empty: writable. */
  Optional<String> writeProblem();

  Dialect dialect();

  @Override
  void close();
}
