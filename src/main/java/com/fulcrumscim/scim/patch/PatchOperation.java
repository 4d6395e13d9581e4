package com.fulcrumscim.scim.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.JsonFields;
import com.fulcrumscim.scim.schema.ScimSchemas;
import java.util.Locale;

/** One entry of {@code Operations}: op (any case, Entra sends "Replace"), optional path, value. */
record PatchOperation(Kind kind, String path, JsonNode value) {
  private static final String GROUP_URN_PREFIX = ScimSchemas.CORE_GROUP.toLowerCase(Locale.ROOT) + ":";

  enum Kind { ADD, REPLACE, REMOVE }

  /** {@code value} is null when the member is absent; a JSON null stays a NullNode. */
  static PatchOperation parse(JsonNode op, int index) {
    String where = "Operations[" + index + "]";
    if (!op.isObject()) {
      throw ScimException.invalidSyntax(where + " must be an object");
    }
    JsonNode name = JsonFields.single(op, "op");
    if (name == null || !name.isTextual()) {
      throw ScimException.invalidSyntax(where + ".op is required (add, replace or remove)");
    }
    Kind kind = switch (name.textValue().toLowerCase(Locale.ROOT)) {
      case "add" -> Kind.ADD;
      case "replace" -> Kind.REPLACE;
      case "remove" -> Kind.REMOVE;
      default -> throw ScimException.invalidSyntax(
          where + ".op must be add, replace or remove, not '" + name.textValue() + "'");
    };
    JsonNode path = JsonFields.single(op, "path");
    if (path != null && !path.isNull() && !path.isTextual()) {
      throw ScimException.invalidPath(where + ".path must be a string");
    }
    String p = path == null || path.isNull() || path.textValue().isBlank() ? null : path.textValue();
    JsonNode value = JsonFields.single(op, "value");
    if (kind != Kind.REMOVE && value == null) {
      throw ScimException.invalidSyntax(where + " (" + name.textValue() + ") needs a value");
    }
    return new PatchOperation(kind, p, value);
  }

  /**
   * Whether this takes members out of a group: a {@code remove} whose path is {@code members},
   * with a value filter (Okta) or without (Entra lists them in the value), bare or qualified by
   * the core Group schema's URN.
   */
  boolean removesMembers() {
    if (kind != Kind.REMOVE || path == null) {
      return false;
    }
    String p = path.strip().toLowerCase(Locale.ROOT);
    if (p.startsWith(GROUP_URN_PREFIX)) {
      p = p.substring(GROUP_URN_PREFIX.length());
    }
    return p.equals("members") || p.startsWith("members[");
  }
}
