package com.fulcrumscim.journal;

/**
 * A user as Okta wants it, read from scim_user. {@code role} is the name Okta sent (may be null).
 * {@code leftWith}: the address an inactive user had when it lost access, which later changes of the
 * inactive user do not move (scim_user.left_with_email); null for an active user.
 */
public record DesiredUser(
    String id, String userName, String email, String givenName, String familyName, String role, boolean active,
    String leftWith) {}
