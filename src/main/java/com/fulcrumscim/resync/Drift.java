package com.fulcrumscim.resync;

/**
 * One line of a resync report: where Fulcrum differs from what Okta wants for a managed entity,
 * and what resync does about it. {@code key} is the work key ({@code user/<SCIM id>}).
 * {@code keepsAccess}: the line names a person Okta deactivated or deleted who still has access in
 * Fulcrum, which the bridge leaves to an operator (a member it does not manage with their email, or
 * the API token's owner); while the last resync apply found one, {@code status} needs attention.
 */
public record Drift(String key, String entity, String field, String fulcrumHas, String oktaWants, String action, Kind kind,
    boolean keepsAccess) {
  public enum Kind {
    /** The reconciler fixes it. */
    FIX,
    /**
     * The reconciler cannot (unknown role, the token owner), or resync leaves it to an operator
     * (its change is DEAD or HELD): the action says why.
     */
    BLOCKED,
    /** An unmanaged member has the managed user's email: reported, never touched. */
    COLLISION,
    /** A group's members wait for users whose push is still in progress. */
    WAITING,
    /** Made by the bridge, no link points to it, but Okta still wants its user or group: reported. */
    ORPHAN
  }
}
