package com.fulcrumscim.journal;

/** A user as Okta wants it, read from scim_user. {@code role} is the name Okta sent (may be null). */
public record DesiredUser(
    String id, String userName, String email, String givenName, String familyName, String role, boolean active) {}
