package com.fulcrumscim.scim.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.scim.schema.AttributeDef;
import com.fulcrumscim.scim.schema.ResourceSchema;

/**
 * Evaluates a filter against a resource's JSON with the schema's rules: case exactness per
 * attribute, boolean/dateTime typing, any-element semantics for multi-valued attributes.
 * Unsupported comparisons are {@code invalidFilter}.
 */
public final class FilterEvaluator {
  private FilterEvaluator() {}

  /** Checks that every attribute and comparison in the filter is supported; else invalidFilter. */
  public static void validate(Filter filter, ResourceSchema schema) {
    throw new UnsupportedOperationException("skeleton");
  }

  public static boolean matches(Filter filter, JsonNode resource, ResourceSchema schema) {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Whether one element of the multi-valued complex {@code attribute} matches a value filter. */
  public static boolean matchesElement(Filter filter, JsonNode element, AttributeDef attribute) {
    throw new UnsupportedOperationException("skeleton");
  }
}
