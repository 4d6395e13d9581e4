package com.fulcrumscim.fulcrum;

/** A membership: one user's place in the organization. Ids are opaque strings. */
public record FulcrumMember(
    String id,
    String userId,
    String email,
    String firstName,
    String lastName,
    String roleId,
    String roleName,
    Boolean managed,
    String status) {}
