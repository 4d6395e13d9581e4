package com.fulcrumscim.journal;

/**
 * A change intake refused before anything was written. The protocol layer turns the reason into
 * its own error (SCIM: 404, 412, 409 uniqueness, 400 invalidValue); the detail is for the client.
 */
public final class IntakeRejected extends RuntimeException {
  /** Why a change was refused. */
  public enum Reason {
    /** No resource with that id. */
    NOT_FOUND,
    /** The client's expected version (If-Match) is not the stored one. */
    VERSION_MISMATCH,
    /** The userName or displayName is taken by another resource (compared as Fulcrum compares). */
    NAME_TAKEN,
    /**
     * A value is longer than the database can index (PostgreSQL), which the client's limits should
     * have caught; or the change would grow the stored document past {@link DocumentBound}.
     */
    TOO_LARGE
  }

  private final Reason reason;

  public IntakeRejected(Reason reason, String detail) {
    super(detail);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
