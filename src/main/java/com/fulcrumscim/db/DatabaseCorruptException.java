package com.fulcrumscim.db;

/**
 * The database file fails SQLite's integrity check (or is no database at all). Restarting cannot
 * help: an operator restores it from a backup or moves it aside.
 */
public final class DatabaseCorruptException extends RuntimeException {
  public DatabaseCorruptException(String message, Throwable cause) {
    super(message, cause);
  }
}
