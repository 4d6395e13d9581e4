package com.fulcrumscim.journal;

/**
 * A user as Okta wants it, read from scim_user. {@code role} is the name Okta sent (may be null).
 * {@code leftWith}: the address an inactive user had when it lost access, which later changes of the
 * inactive user do not move (scim_user.left_with_email); null for an active user. {@code neverActive}: an
 * inactive user that has been so since its create (scim_user.inactive_since is its created_at): Entra
 * provisions disabled users, and one such lost no access the identity provider ever gave.
 */
public record DesiredUser(
    String id, String userName, String email, String givenName, String familyName, String role, boolean active,
    String leftWith, boolean neverActive) {

  /** A user that was active at some time, or is. */
  public DesiredUser(String id, String userName, String email, String givenName, String familyName, String role,
      boolean active, String leftWith) {
    this(id, userName, email, givenName, familyName, role, active, leftWith, false);
  }
}
