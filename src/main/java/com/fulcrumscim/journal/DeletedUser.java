package com.fulcrumscim.journal;

/**
 * A user deleted over SCIM, as its tombstone keeps it: the userName and email it last had, and the
 * address it had when it lost access ({@code leftWith}: its deactivation's, else its delete's; null
 * on a tombstone written without it).
 */
public record DeletedUser(String id, String userName, String email, String leftWith) {}
