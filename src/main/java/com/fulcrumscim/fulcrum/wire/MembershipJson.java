package com.fulcrumscim.fulcrum.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A membership as Fulcrum sends it; fields we don't use are ignored. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MembershipJson(
    String id,
    String userId,
    String email,
    String firstName,
    String lastName,
    String roleId,
    String roleName,
    Boolean managed,
    String status) {}
