package com.fulcrumscim.scim.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.scim.ScimException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The text of a normalized resource that names a person, a group or a role, and the ids a client
 * gives (externalId, member values): the attributes Fulcrum, the unique indexes and the operator's
 * terminal receive. New values are canonical (trimmed, Unicode NFC, so a decomposed {@code José}
 * is the same user as a composed one) and must be no longer than a real directory ever makes them
 * (far below PostgreSQL's 2,704-byte index entry, so both stores refuse alike) and free of control
 * characters and line breaks; a userName or email must also hold no invisible or bidirectional
 * formatting character (zero-width space, right-to-left override, BOM: a look-alike identity).
 *
 * <p>A value the resource already holds, in any spelling with the same canonical form, is kept as
 * stored and not checked again: one stored by an older release that these rules refuse must not
 * make every later PUT or PATCH of the resource (its deactivation) fail.
 */
final class IdentityText {
  /** RFC 5321 §4.5.3.1.3: a path holds at most 256 octets with its angle brackets. */
  static final int MAX_EMAIL = 254;
  /**
   * Entra (like Active Directory) keeps a displayName to 256 characters and given and family names
   * to 64: room for any real name, login, role or group name, and far below the index's limit.
   */
  static final int MAX_TEXT = 256;

  private IdentityText() {}

  /** How one attribute's text is checked. */
  enum Rule {
    /** userName: trimmed and NFC; visible characters only. */
    LOGIN(MAX_TEXT, true, true),
    /** emails[].value: as a login, RFC 5321's length. */
    EMAIL(MAX_EMAIL, true, true),
    /** Names, displayName, role: trimmed and NFC; RTL marks and joiners are part of real names. */
    NAME(MAX_TEXT, true, false),
    /** externalId: an opaque id, kept exactly as sent. */
    ID(MAX_TEXT, false, false),
    /** A group member's value: a user id of the bridge's; one that names no user is left out later. */
    MEMBER(Integer.MAX_VALUE, false, false);

    private final int maxLength;
    private final boolean canonical;
    private final boolean visibleOnly;

    Rule(int maxLength, boolean canonical, boolean visibleOnly) {
      this.maxLength = maxLength;
      this.canonical = canonical;
      this.visibleOnly = visibleOnly;
    }

    String canonical(String text) {
      return canonical ? nfc(text.strip()) : text;
    }
  }

  /** One place in a document that holds identity text: {@code container.get(field)}. */
  private record Slot(String label, Rule rule, ObjectNode container, String field) {
    String text() {
      JsonNode v = container.get(field);
      return v != null && v.isTextual() ? v.textValue() : null;
    }
  }

  /**
   * Makes the identity text of {@code doc} (a normalized User or Group) canonical and refuses what
   * is not acceptable (400 invalidValue naming the attribute). {@code previous} is the stored
   * document it replaces, null for a create.
   */
  static void settle(ObjectNode doc, ObjectNode previous, ResourceSchema schema) {
    Map<String, Map<String, String>> stored = new HashMap<>();
    if (previous != null) {
      for (Slot s : slots(previous, schema)) {
        String text = s.text();
        if (text != null) {
          stored.computeIfAbsent(s.label(), k -> new HashMap<>()).putIfAbsent(s.rule().canonical(text), text);
        }
      }
    }
    for (Slot s : slots(doc, schema)) {
      String text = s.text();
      if (text == null) {
        continue;
      }
      String canonical = s.rule().canonical(text);
      String kept = stored.getOrDefault(s.label(), Map.of()).get(canonical);
      if (kept == null) {
        check(canonical, s.rule(), s.label());
      }
      s.container().put(s.field(), kept != null ? kept : canonical);
    }
  }

  /** Unicode NFC: the composed spelling, the one form stored and compared. */
  static String nfc(String text) {
    return Normalizer.isNormalized(text, Normalizer.Form.NFC) ? text : Normalizer.normalize(text, Normalizer.Form.NFC);
  }

  private static void check(String text, Rule rule, String label) {
    int length = text.codePointCount(0, text.length());
    if (length > rule.maxLength) {
      // The value is not echoed: it may be long, and it may be anything.
      throw ScimException.invalidValue(label + " is " + length + " characters long; at most " + rule.maxLength
          + " are accepted");
    }
    int position = 0;
    for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
      int c = text.codePointAt(i);
      position++;
      int type = Character.getType(c);
      if (Character.isISOControl(c) || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
        throw refused(label + " must not contain control characters or line breaks", c, position);
      }
      if (rule.visibleOnly && type == Character.FORMAT) {
        throw refused(label + " must not contain invisible or bidirectional formatting characters", c, position);
      }
    }
  }

  private static ScimException refused(String what, int c, int position) {
    return ScimException.invalidValue(what + " (U+" + String.format("%04X", c) + " at position " + position + ")");
  }

  /** Where the identity text of a User or Group is, with the label its errors name it by. */
  private static List<Slot> slots(ObjectNode doc, ResourceSchema schema) {
    List<Slot> out = new ArrayList<>();
    add(out, "displayName", Rule.NAME, doc, "displayName");
    add(out, "externalId", Rule.ID, doc, "externalId");
    if (schema == ResourceSchema.GROUP) {
      each(out, "members", "value", Rule.MEMBER, doc);
      return out;
    }
    add(out, "userName", Rule.LOGIN, doc, "userName");
    add(out, "nickName", Rule.NAME, doc, "nickName");
    JsonNode name = doc.get("name");
    if (name instanceof ObjectNode n) {
      for (String part : List.of("formatted", "familyName", "givenName", "middleName", "honorificPrefix",
          "honorificSuffix")) {
        add(out, "name." + part, Rule.NAME, n, part);
      }
    }
    each(out, "emails", "value", Rule.EMAIL, doc);
    // Everywhere a role may come from (RolePlaces): top level, any extension object, roles[].
    add(out, "role", Rule.NAME, doc, "role");
    doc.properties().forEach(field -> {
      if (ResourceNormalizer.isUrn(field.getKey()) && field.getValue() instanceof ObjectNode extension) {
        extension.properties().forEach(f -> {
          if (f.getKey().equalsIgnoreCase("role")) {
            add(out, field.getKey() + ":" + f.getKey(), Rule.NAME, extension, f.getKey());
          }
        });
      }
    });
    each(out, "roles", "value", Rule.NAME, doc);
    return out;
  }

  private static void add(List<Slot> out, String label, Rule rule, ObjectNode container, String field) {
    if (container.has(field)) {
      out.add(new Slot(label, rule, container, field));
    }
  }

  private static void each(List<Slot> out, String attribute, String sub, Rule rule, ObjectNode doc) {
    JsonNode values = doc.get(attribute);
    if (values != null && values.isArray()) {
      for (JsonNode element : values) {
        if (element instanceof ObjectNode e) {
          add(out, attribute + "." + sub, rule, e, sub);
        }
      }
    }
  }
}
