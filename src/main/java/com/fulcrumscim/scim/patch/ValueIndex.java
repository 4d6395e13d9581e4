package com.fulcrumscim.scim.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fulcrumscim.scim.filter.CompareOp;
import com.fulcrumscim.scim.filter.Filter;
import com.fulcrumscim.scim.schema.AttributeDef;
import com.fulcrumscim.scim.schema.AttributeDef.Type;
import com.fulcrumscim.scim.schema.JsonFields;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The elements of one multi-valued complex attribute by their string {@code value}, so that
 * Okta's one operation per member ({@code members[value eq "x"]}, okta-scim.md §1.7) and Entra's
 * listed removals find their element without scanning the array once per operation. Keys compare
 * as the filter evaluator would: exactly when {@code value} is caseExact, else folded.
 */
final class ValueIndex {
  private final ArrayNode array;
  private final boolean caseExact;
  private final Map<String, List<JsonNode>> byValue = new HashMap<>();

  ValueIndex(ArrayNode array, AttributeDef valueDef) {
    this.array = array;
    this.caseExact = valueDef.caseExact();
    array.forEach(this::add);
  }

  /** The {@code value} sub-attribute, when it is a string the index can key on. */
  static AttributeDef indexable(AttributeDef def) {
    return def.subAttribute("value").filter(v -> v.type() == Type.STRING).orElse(null);
  }

  /** The string a value filter compares {@code value} with, when that is all it does; else null. */
  static String looksUp(Filter filter) {
    return filter instanceof Filter.Compare c && c.op() == CompareOp.EQ && c.value().isTextual()
        && c.path().schemaUrn() == null && c.path().subAttribute() == null
        && c.path().attribute().equalsIgnoreCase("value") ? c.value().textValue() : null;
  }

  boolean covers(ArrayNode other) {
    return other == array;
  }

  /** The elements whose value equals {@code value}. */
  List<JsonNode> find(String value) {
    return List.copyOf(byValue.getOrDefault(key(value), List.of()));
  }

  /** Indexes an element appended to the array, or one whose value was just set. */
  void add(JsonNode element) {
    JsonNode value = JsonFields.get(element, "value");
    if (element.isObject() && value != null && value.isTextual()) {
      byValue.computeIfAbsent(key(value.textValue()), k -> new ArrayList<>(1)).add(element);
    }
  }

  /** Forgets an element removed from the array, or one whose value is about to change. */
  void remove(JsonNode element) {
    JsonNode value = JsonFields.get(element, "value");
    if (value != null && value.isTextual()) {
      List<JsonNode> same = byValue.get(key(value.textValue()));
      if (same != null) {
        same.removeIf(e -> e == element);
      }
    }
  }

  private String key(String value) {
    return caseExact ? value : AttributeDef.fold(value);
  }
}
