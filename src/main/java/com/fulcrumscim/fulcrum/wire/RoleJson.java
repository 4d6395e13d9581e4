package com.fulcrumscim.fulcrum.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

@JsonIgnoreProperties(ignoreUnknown = true)
public record RoleJson(String id, String name, boolean isSystem, boolean isDefault) {}
