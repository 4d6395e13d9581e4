package com.fulcrumscim.fulcrum.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

@JsonIgnoreProperties(ignoreUnknown = true)
public record UserJson(String id, String email, String firstName, String lastName, Organization currentOrganization) {
  /** {@code current_organization}: documented with the token sanity check, but tolerated missing. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Organization(String id, String name) {}
}
