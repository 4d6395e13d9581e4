package com.fulcrumscim.fulcrum.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fulcrumscim.fulcrum.FulcrumRole;

@JsonIgnoreProperties(ignoreUnknown = true)
public record RoleJson(String id, String name, boolean isSystem, boolean isDefault) {
  public FulcrumRole toRole() {
    return new FulcrumRole(id, name, isSystem, isDefault);
  }
}
