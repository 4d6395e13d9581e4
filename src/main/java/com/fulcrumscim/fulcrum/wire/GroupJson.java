package com.fulcrumscim.fulcrum.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * {@code memberIds} only comes with {@code associations=true}; null means not sent, which is not
 * the same as empty.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GroupJson(String id, String name, String description, List<String> memberIds) {}
