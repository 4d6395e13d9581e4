package com.fulcrumscim.scim.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.journal.TerminalText;
import com.fulcrumscim.scim.ScimException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/** Case-insensitive member lookup: SCIM names compare without case (RFC 7643 §2.1). */
public final class JsonFields {
  private JsonFields() {}

  /** The member's actual key in {@code object}, or null (also when not an object). */
  public static String key(JsonNode object, String name) {
    if (object == null || !object.isObject()) {
      return null;
    }
    if (object.has(name)) {
      return name;
    }
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (key.equalsIgnoreCase(name)) {
        return key;
      }
    }
    return null;
  }

  /** The member with this name in any case, or null. */
  public static JsonNode get(JsonNode object, String name) {
    String key = key(object, name);
    return key == null ? null : object.get(key);
  }

  /**
   * As {@link #get}, for a member the request must name once: two members with the name in
   * different cases ({@code Operations} and {@code operations}) are 400 invalidSyntax. Which one
   * the client meant would be a guess, and the other would be dropped while the request is
   * answered 2xx (and journaled as sent).
   */
  public static JsonNode single(JsonNode object, String name) {
    if (object == null || !object.isObject()) {
      return null;
    }
    String found = null;
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (key.equalsIgnoreCase(name)) {
        if (found != null) {
          throw sameNameTwice(found, key);
        }
        found = key;
      }
    }
    return found == null ? null : object.get(found);
  }

  /**
   * A SCIM boolean as clients send it: JSON true or false, or the string "True"/"False" in any case
   * (Entra sends strings); null for anything else. The one reading for the normalizer, filters and
   * what a request asks of {@code active}.
   */
  public static Boolean bool(JsonNode value) {
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isTextual() && (value.textValue().equalsIgnoreCase("true") || value.textValue().equalsIgnoreCase("false"))) {
      return value.textValue().equalsIgnoreCase("true");
    }
    return null;
  }

  /** Throws 400 invalidSyntax when two members of {@code object} have one name in different cases. */
  public static void requireDistinctNames(JsonNode object) {
    Map<String, String> seen = new HashMap<>();
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      String earlier = seen.putIfAbsent(key.toLowerCase(Locale.ROOT), key);
      if (earlier != null) {
        throw sameNameTwice(earlier, key);
      }
    }
  }

  private static ScimException sameNameTwice(String first, String second) {
    return ScimException.invalidSyntax("'" + TerminalText.cut(first, 100) + "' and '" + TerminalText.cut(second, 100)
        + "' name one member in two cases: send it once");
  }
}
