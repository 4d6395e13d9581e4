package com.fulcrumscim.journal;

/** A user deleted over SCIM, as its tombstone keeps it: the userName and email it last had. */
public record DeletedUser(String id, String userName, String email) {}
