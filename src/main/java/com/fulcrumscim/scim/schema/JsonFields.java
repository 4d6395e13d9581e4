package com.fulcrumscim.scim.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;

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
}
