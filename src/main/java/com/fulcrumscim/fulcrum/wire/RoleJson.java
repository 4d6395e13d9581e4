package com.fulcrumscim.fulcrum.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** {@code isSystem} is a Boolean so that "not said" stays apart from false: Owner detection rests on it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RoleJson(String id, String name, Boolean isSystem, boolean isDefault) {}
