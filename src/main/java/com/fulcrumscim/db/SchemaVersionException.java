package com.fulcrumscim.db;

/**
 * The database's schema is not the one this build knows: newer (written by a newer fulcrum-scim,
 * which this one must not touch) or older (needs {@code fulcrum-scim db migrate}).
 */
public final class SchemaVersionException extends RuntimeException {
  private final boolean newer;

  SchemaVersionException(String message, boolean newer) {
    super(message);
    this.newer = newer;
  }

  /** The file is ahead of this build: upgrade fulcrum-scim, never the other way round. */
  public boolean newer() {
    return newer;
  }
}
