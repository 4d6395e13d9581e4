package com.fulcrumscim.scim.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.scim.ScimException;
import java.util.Map;

/**
 * Bounds on client JSON, so a hostile body costs a 400 instead of memory or stack. The HTTP layer
 * bounds the byte size; these bound the shape.
 */
public record InputLimits(int maxDepth, int maxStringLength, int maxArrayLength, int maxValues) {
  /**
   * Depth 32, 64 KiB strings, 100,000 array elements (a large group's member list fits), 100
   * values in a multi-valued attribute other than members (nobody has 101 emails; 20,000 of them
   * made every filtered PATCH op scan them all).
   */
  public static final InputLimits DEFAULTS = new InputLimits(32, 65_536, 100_000, 100);

  /** Throws a 400 ScimException when the document exceeds any bound. */
  public void check(JsonNode node) {
    check(node, 1);
  }

  private void check(JsonNode node, int depth) {
    if (node.isTextual()) {
      checkString(node.textValue());
    }
    if (!node.isContainerNode()) {
      return;
    }
    if (depth > maxDepth) {
      throw ScimException.invalidSyntax("JSON nested deeper than " + maxDepth + " levels");
    }
    if (node.isArray()) {
      if (node.size() > maxArrayLength) {
        throw ScimException.invalidValue(
            "Array of " + node.size() + " elements exceeds the limit of " + maxArrayLength);
      }
      for (JsonNode element : node) {
        check(element, depth + 1);
      }
      return;
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      checkString(field.getKey());
      check(field.getValue(), depth + 1);
    }
  }

  private void checkString(String s) {
    if (s.length() > maxStringLength) {
      // The content is not echoed: it may be a password.
      throw ScimException.invalidValue(
          "String of " + s.length() + " characters exceeds the limit of " + maxStringLength);
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
      if (paired) {
        i++;
      } else if (c == 0) {
        // PostgreSQL's text cannot hold it (the write failed: a 500) while SQLite stored it: refused
        // here, for every attribute and name, so both stores answer alike and nothing keeps it.
        throw ScimException.invalidValue("A string holds U+0000 (NUL) at position " + (i + 1)
            + ", which no attribute may hold");
      } else if (Character.isSurrogate(c)) {
        // stored, it would come back as '?': refused rather than silently changed
        throw ScimException.invalidValue("A string holds invalid Unicode (a lone surrogate U+"
            + String.format("%04X", (int) c) + " at position " + (i + 1) + ")");
      }
    }
  }
}
