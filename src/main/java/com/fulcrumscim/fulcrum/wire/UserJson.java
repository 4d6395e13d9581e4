package com.fulcrumscim.fulcrum.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

@JsonIgnoreProperties(ignoreUnknown = true)
public record UserJson(String id, String email, String firstName, String lastName) {}
