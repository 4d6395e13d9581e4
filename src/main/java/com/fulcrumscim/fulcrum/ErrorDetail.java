package com.fulcrumscim.fulcrum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.fulcrum.wire.Wire;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fulcrum's own words from an error body, for an operator: {@code {"membership":{"errors":{"email":
 * ["has already been taken"]}}}} gives "email has already been taken"; {@code {"errors":"…"}} and
 * {@code {"error":"…"}} give their text; anything else a shortened copy of the body.
 */
final class ErrorDetail {
  private static final int MAX_RAW = 300;

  private ErrorDetail() {}

  static String from(Wire wire, String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      String detail = fromJson(wire.read(body));
      return detail.isEmpty() ? shorten(body) : detail;
    } catch (java.io.IOException notJson) {
      return shorten(body);
    }
  }

  private static String fromJson(JsonNode root) {
    for (String key : List.of("errors", "error", "message")) {
      if (root.has(key)) {
        return describe(root.get(key));
      }
    }
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (field.getValue().has("errors")) {
        return describe(field.getValue().get("errors"));
      }
    }
    return "";
  }

  /** Rails-style errors: a string, a list of strings, or field → messages ("base" unprefixed). */
  private static String describe(JsonNode errors) {
    if (errors.isTextual()) {
      return errors.asText();
    }
    List<String> parts = new ArrayList<>();
    if (errors.isArray()) {
      errors.forEach(e -> parts.add(describe(e)));
    } else if (errors.isObject()) {
      for (Map.Entry<String, JsonNode> field : errors.properties()) {
        String prefix = field.getKey().equals("base") ? "" : field.getKey() + " ";
        JsonNode messages = field.getValue();
        if (messages.isArray()) {
          messages.forEach(m -> parts.add(prefix + m.asText()));
        } else {
          parts.add(prefix + messages.asText());
        }
      }
    } else if (!errors.isNull()) {
      parts.add(errors.asText());
    }
    return String.join("; ", parts);
  }

  private static String shorten(String body) {
    String flat = body.strip().replaceAll("\\s+", " ");
    return flat.length() <= MAX_RAW ? flat : flat.substring(0, MAX_RAW) + "…";
  }
}
