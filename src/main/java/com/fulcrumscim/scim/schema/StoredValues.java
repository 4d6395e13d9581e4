package com.fulcrumscim.scim.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The values of the stored document a body replaces (a PUT's, a PATCH's result), which the
 * normalizer's limits do not refuse again: those limits are for what a request brings, and a
 * value a release before them stored must not make every later PUT or PATCH of the resource (its
 * deactivation) fail. The rule {@link IdentityText} and {@link InputLimits#refuseUnstorable} follow
 * for their own checks. {@code doc} is null for a create.
 */
record StoredValues(ObjectNode doc) {
  static final StoredValues NONE = new StoredValues(null);

  static StoredValues of(ObjectNode previous) {
    return previous == null ? NONE : new StoredValues(previous);
  }

  /**
   * How many values the multi-valued attribute at {@code path} holds: its name, or for one in an
   * extension the extension's URN, ':' and its name (as the normalizer's messages name it).
   */
  int count(String path) {
    int colon = path.lastIndexOf(':');
    JsonNode container = colon < 0 ? doc : JsonFields.get(doc, path.substring(0, colon));
    JsonNode values = JsonFields.get(container, path.substring(colon + 1));
    return values != null && values.isArray() ? values.size() : 0;
  }

  /** Whether the custom extension {@code urn} holds {@code value} as its {@code key} already. */
  boolean holds(String urn, String key, JsonNode value) {
    return value.equals(JsonFields.get(JsonFields.get(doc, urn), key));
  }
}
