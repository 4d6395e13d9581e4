package com.fulcrumscim.scim.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.scim.ScimException;
import java.math.BigDecimal;
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
  private static final BigDecimal LARGEST = new BigDecimal(Double.MAX_VALUE);
  private static final BigDecimal SMALLEST = new BigDecimal(Double.MIN_VALUE);

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

  /**
   * Throws 400 invalidValue when any string or name in {@code node} holds U+0000, or a number is
   * beyond a double's range. PostgreSQL's text cannot hold U+0000 (the write failed: a 500) while
   * SQLite stored it; {@code 1e400} read as a double is Infinity, which JSON cannot hold and which
   * was stored and echoed as the string "Infinity" (read as a decimal, see {@link #beyondDouble}).
   * Refused in what a client sends,
   * and only there: a value an older release stored in SQLite must not make every later PATCH of
   * that user (its deactivation) fail.
   */
  public static void refuseUnstorable(JsonNode node) {
    if (node.isTextual()) {
      refuseNul(node.textValue());
    } else if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())
        || node.isBigDecimal() && beyondDouble(node.decimalValue())) {
      throw ScimException.invalidValue("A number is out of range (beyond +/-1.8e308, or nearer zero than 4.9e-324:"
          + " a double's limits)");
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        refuseUnstorable(element);
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        refuseNul(field.getKey());
        refuseUnstorable(field.getValue());
      }
    }
  }

  /**
   * A decimal a double cannot hold: its exponent is otherwise unbounded ({@code 1e-999999999} is 12
   * characters), and PostgreSQL's jsonb, which list queries cast stored documents to, refuses one
   * beyond 1,000 (every list of that store failed); one nearer zero read as 0 before decimals were kept.
   */
  private static boolean beyondDouble(BigDecimal d) {
    BigDecimal magnitude = d.abs();
    return magnitude.compareTo(LARGEST) > 0 || d.signum() != 0 && magnitude.compareTo(SMALLEST) < 0;
  }

  private static void refuseNul(String s) {
    int at = s.indexOf(0);
    if (at >= 0) {
      throw ScimException.invalidValue("A string holds U+0000 (NUL) at position " + (at + 1)
          + ", which no attribute may hold");
    }
  }

  private void checkString(String s) {
    if (s.length() > maxStringLength) {
      // The content is not echoed: it may be a password.
      throw ScimException.invalidValue(
          "String of " + s.length() + " characters exceeds the limit of " + maxStringLength);
    }
    int lone = loneSurrogate(s);
    if (lone >= 0) {
      // stored, it would come back as '?': refused rather than silently changed
      throw ScimException.invalidValue("A string holds invalid Unicode (a lone surrogate U+"
          + String.format("%04X", (int) s.charAt(lone)) + " at position " + (lone + 1) + ")");
    }
  }

  /** Where {@code s} holds its first lone surrogate (invalid Unicode, which both JDBC drivers write as '?'), or -1. */
  public static int loneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
      if (paired) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }
}
