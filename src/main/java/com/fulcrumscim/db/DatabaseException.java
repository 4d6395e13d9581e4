package com.fulcrumscim.db;

/** The database could not do what was asked: disk, corruption, or a bug in our SQL. */
public class DatabaseException extends RuntimeException {
  public DatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
