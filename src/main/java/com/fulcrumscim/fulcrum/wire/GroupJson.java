package com.fulcrumscim.fulcrum.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * {@code memberIds} only comes with {@code associations=true}; null means not sent, which is not
 * the same as empty. {@code description} is kept as sent for the same reason: left out (null) is
 * not the same as sent as null (a null node).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GroupJson(String id, String name, JsonNode description, List<String> memberIds) {}
