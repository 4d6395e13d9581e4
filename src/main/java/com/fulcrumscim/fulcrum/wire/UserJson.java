package com.fulcrumscim.fulcrum.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fulcrumscim.fulcrum.FulcrumUser;

@JsonIgnoreProperties(ignoreUnknown = true)
public record UserJson(String id, String email, String firstName, String lastName) {
  public FulcrumUser toUser() {
    return new FulcrumUser(id, email, firstName, lastName);
  }
}
