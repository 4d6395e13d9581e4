package com.fulcrumscim.db;

import java.sql.Connection;
import java.util.Optional;

/**
 * What {@link Database#inOneRead} gives its reads: the connection of one engine read, inside that
 * read's transaction, so every query sees the database as of the first. Writes are refused: a
 * reader that writes would be a bug.
 */
final class OneRead implements Engine {
  /**
   * A read's checked failure on its way out through a store's call: {@link #unwrapped} hands the
   * cause to the engine's read as it is, which tells a lost connection or a lost race (read again)
   * from a failure by it.
   */
  static final class Failed extends DatabaseException {
    Failed(Exception cause) {
      super("read failed: " + cause.getMessage(), cause);
    }

    Exception unwrapped() {
      return (Exception) getCause();
    }
  }

  private final Connection connection;
  private final Dialect dialect;

  OneRead(Connection connection, Dialect dialect) {
    this.connection = connection;
    this.dialect = dialect;
  }

  @Override
  public <T> T write(Database.Work<T> work) {
    throw new DatabaseException("a write inside Database.inOneRead, which only reads", null);
  }

  @Override
  public <T> T read(Database.Work<T> work) {
    try {
      return work.run(connection);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new Failed(e);
    }
  }

  @Override
  public Optional<String> writeProblem() {
    return Optional.of("it is a read of one moment of the database");
  }

  @Override
  public Dialect dialect() {
    return dialect;
  }

  /** The connection is the engine's, which takes it back when the read ends. */
  @Override
  public void close() {}
}
