package com.fulcrumscim.db;

/**
 * The store takes no writes now: it is closing, or its writer stopped. Not a fault of the request,
 * so the SCIM endpoint answers 503 (the client may retry later) rather than 500.
 */
public final class DatabaseUnavailableException extends DatabaseException {
  public DatabaseUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The store was closed (the process is stopping): whatever still asks it is refused, not failed. */
  static DatabaseUnavailableException closed() {
    return new DatabaseUnavailableException("database is closed", null);
  }
}
