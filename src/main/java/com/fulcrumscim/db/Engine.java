package com.fulcrumscim.db;

import java.util.Optional;

/**
 * How one kind of database runs {@link Database}'s writes and reads: {@link SqliteEngine} (one
 * writer thread, group commit) or {@link PostgresEngine} (a few pooled connections, one
 * transaction per write, retried on serialization failures).
 */
interface Engine extends AutoCloseable {
  <T> T write(Database.Work<T> work);

  <T> T read(Database.Work<T> work);

  /** Why a write would fail now, found without writing; empty: writable. */
  Optional<String> writeProblem();

  Dialect dialect();

  @Override
  void close();
}
