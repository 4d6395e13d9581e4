package com.fulcrumscim.fulcrum.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A membership as Fulcrum sends it; fields we don't use are ignored. {@code roleName},
 * {@code managed} and {@code status} are kept as sent and read leniently: the bridge decides
 * nothing on them, so an odd value there must not fail the whole member list.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MembershipJson(
    String id,
    String userId,
    String email,
    String firstName,
    String lastName,
    String roleId,
    JsonNode roleName,
    JsonNode managed,
    JsonNode status) {}
