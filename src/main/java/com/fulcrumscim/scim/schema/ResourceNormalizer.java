package com.fulcrumscim.scim.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Validates and canonicalizes a client's User or Group body (POST, PUT, and every PATCH result):
 * canonical attribute case, booleans for "True"/"False", read-only and write-only input dropped,
 * required attributes present, hostile shapes rejected. Throws only {@code ScimException} (400).
 */
public final class ResourceNormalizer {
  private final InputLimits limits;

  public ResourceNormalizer(InputLimits limits) {
    this.limits = limits;
  }

  public ResourceNormalizer() {
    this(InputLimits.DEFAULTS);
  }

  public InputLimits limits() {
    return limits;
  }

  /** A normalized User body (no id, meta, groups or password). */
  public ObjectNode user(JsonNode body) {
    return normalize(body, ResourceSchema.USER);
  }

  /** A normalized Group body (no id or meta; always a members array). */
  public ObjectNode group(JsonNode body) {
    return normalize(body, ResourceSchema.GROUP);
  }

  public ObjectNode normalize(JsonNode body, ResourceSchema schema) {
    throw new UnsupportedOperationException("skeleton");
  }
}
