package com.fulcrumscim.scim.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fulcrumscim.journal.RolePlaces;
import com.fulcrumscim.journal.TerminalText;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.AttributeDef.Mutability;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates and canonicalizes a client's User or Group body (POST, PUT, and every PATCH result):
 * canonical attribute case, booleans for "True"/"False", read-only and write-only input dropped,
 * required attributes present, hostile shapes rejected. Throws only {@code ScimException} (400).
 *
 * <p>The result starts with {@code schemas} (the core URN, then the URN of every extension object
 * present), holds only assigned attributes (nulls, empty arrays and empty complex values are
 * unassigned, RFC 7643 §2.5), users always carry {@code active} (default true) and groups always
 * carry {@code members}. Unknown core attributes and sub-attributes are dropped (logged once per
 * name); type errors on known ones are 400. Extension objects under a URN key that no schema describes, and
 * attributes a known extension does not define, are kept as sent: that is where Okta and Entra
 * put custom attributes such as {@code role}. A password is dropped wherever it is
 * ({@link #namesPassword}), in those too.
 */
public final class ResourceNormalizer {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Logger log = LoggerFactory.getLogger(ResourceNormalizer.class);
  private static final String ROLE = "role";
  private static final Pattern WELL_FORMED_URN = Pattern.compile("(?i)urn(:[a-z0-9._-]+)+");
  /** Attribute paths (lower case) whose text names a person or group: trimmed (and checked by {@link IdentityText}). */
  private static final Set<String> IDENTITY_TEXT = Set.of("username", "displayname", "nickname", "emails.value",
      "name.givenname", "name.familyname", "name.middlename", "name.formatted", "name.honorificprefix",
      "name.honorificsuffix");

  private final InputLimits limits;
  private final IgnoredNames logged;

  /** {@code clock}: what the log's share of unknown names per minute is counted by. */
  public ResourceNormalizer(InputLimits limits, Clock clock) {
    this.limits = limits;
    this.logged = new IgnoredNames(clock);
  }

  public ResourceNormalizer(InputLimits limits) {
    this(limits, Clock.systemUTC());
  }

  /**
   * An attribute the bridge does not know is dropped, not refused: a misspelt or extra IdP
   * mapping must not stop a person from being provisioned. Logged once per name so the admin can
   * fix the mapping, within the bounds {@link IgnoredNames} sets; the value is never logged (it
   * may be a secret).
   */
  public void ignored(String what) {
    String name = TerminalText.cut(what, 200);
    switch (logged.admit(name)) {
      case LOG -> log.info("ignoring unknown {} (not stored; logged once per name)", TerminalText.escape(name));
      case LIMIT_REACHED -> log.info("more than {} unknown attribute names in a minute: the rest of this minute's are not"
          + " logged (each is logged when next sent)", IgnoredNames.PER_MINUTE);
      case QUIET -> { }
    }
  }

  public ResourceNormalizer() {
    this(InputLimits.DEFAULTS);
  }

  public InputLimits limits() {
    return limits;
  }

  /**
   * A normalized User body (no id, meta, groups or password) that replaces {@code previous} (PUT,
   * or a PATCH's result), or creates one when it is null. One that leaves {@code active} unassigned
   * keeps the previous value, and a new user is active. A deactivated user is never made active
   * again by omission (a PUT without the attribute, a PATCH that removes it). Identity text is
   * checked as {@link IdentityText} says. A role the request sets in one place clears a different
   * one in the others, and a cleared one sent again by a second role mapping is a WARN, not a
   * change ({@link RolePlaces#settle}).
   */
  public ObjectNode user(JsonNode body, ObjectNode previous) {
    ObjectNode user = normalize(body, ResourceSchema.USER, previous);
    if (!user.has("active")) {
      user.put("active", previous == null || previous.path("active").asBoolean(true));
    }
    IdentityText.settle(user, previous, ResourceSchema.USER);
    Map<String, String> resent = RolePlaces.settle(user, previous);
    if (!resent.isEmpty()) {
      // The way out must be the winner's mapping kept: Okta's PUT echoes the winner's place from the
      // GET once its mapping is gone, which the bridge cannot tell from that mapping still sending it.
      Map.Entry<String, String> winner = RolePlaces.of(user).entrySet().iterator().next();
      String won = TerminalText.oneLine(winner.getKey());
      log.warn("user with userName {}: the identity provider sends {} again, a role the bridge cleared there when"
          + " another place set the user's role: two role mappings disagree, so the user keeps '{}', which {} set ({}),"
          + " as before. Keep the role mapping of {} and remove the other, or make both name the same role. With the"
          + " mapping of {} removed instead, Okta still sends it back from the bridge's GET, and the user keeps '{}'"
          + " until the remaining mapping sends a role other than the one it was cleared of, once"
          + " (README, Connecting Okta, step 6)",
          TerminalText.oneLine(user.path("userName").asText()), TerminalText.oneLine(resent.toString()),
          TerminalText.oneLine(winner.getValue()), won, TerminalText.oneLine(RolePlaces.of(user).toString()), won, won,
          TerminalText.oneLine(winner.getValue()));
    }
    return user;
  }

  /** A normalized Group body (no id or meta; always a members array) for a new group. */
  public ObjectNode group(JsonNode body) {
    return group(body, null);
  }

  /** A normalized Group body that replaces {@code previous} (PUT, or a PATCH's result), or creates one when it is null. */
  public ObjectNode group(JsonNode body, ObjectNode previous) {
    ObjectNode group = normalize(body, ResourceSchema.GROUP, previous);
    IdentityText.settle(group, previous, ResourceSchema.GROUP);
    return group;
  }

  public ObjectNode normalize(JsonNode body, ResourceSchema schema) {
    return normalize(body, schema, null);
  }

  /**
   * {@link #normalize(JsonNode, ResourceSchema)} for a body that replaces {@code previous}, the
   * document as stored (null for a create): what it holds already is not refused by a limit a later
   * release set ({@link StoredValues}).
   */
  public ObjectNode normalize(JsonNode body, ResourceSchema schema, ObjectNode previous) {
    if (body == null || !body.isObject()) {
      throw ScimException.invalidSyntax("The request body must be a JSON object");
    }
    limits.check(body);
    requireSchemas(body);
    ObjectNode attrs = JSON.objectNode();
    Map<String, ObjectNode> extensions = new LinkedHashMap<>();
    List<String> unknown = new ArrayList<>();
    StoredValues stored = StoredValues.of(previous);
    for (Map.Entry<String, JsonNode> field : body.properties()) {
      String key = field.getKey();
      if (key.equalsIgnoreCase("schemas")) {
        continue;
      }
      if (isUrn(key)) {
        urnField(schema, key, field.getValue(), attrs, extensions, unknown, stored);
      } else {
        topLevelField(schema, key, field.getValue(), attrs, unknown, stored);
      }
    }
    unknown.forEach(name -> ignored(schema.resourceType() + " attribute " + name));
    return assemble(schema, attrs, extensions);
  }

  /**
   * The canonical form of one attribute's value, or null when the value leaves it unassigned.
   * {@code path} names the attribute in error messages.
   */
  public JsonNode attributeValue(AttributeDef def, JsonNode value, String path) {
    return attributeValue(def, value, path, StoredValues.NONE);
  }

  private JsonNode attributeValue(AttributeDef def, JsonNode value, String path, StoredValues stored) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    if (def.multiValued()) {
      return multiValue(def, value, path, stored);
    }
    if (def.isComplex()) {
      return complexValue(def, value, path);
    }
    if (isRole(def) && value.isArray()) {
      return oneRole(value, path);
    }
    return simpleValue(def, value, path);
  }

  private static boolean isRole(AttributeDef def) {
    return def.name().equals(ROLE) && def.type() == AttributeDef.Type.STRING && !def.multiValued();
  }

  /**
   * An Okta profile attribute can be an array of strings (okta-scim.md §1.8), so a {@code role}
   * mapped from one arrives as {@code ["Manager"]}: refusing it refused the whole user. One
   * element is that role, none is no role; several are refused, since a member has one role and
   * picking one would be a guess.
   */
  private static JsonNode oneRole(JsonNode values, String path) {
    if (values.size() > 1) {
      throw ScimException.invalidValue(path + " holds " + values.size() + " values; a Fulcrum member has one role, "
          + "so send one string (or an array of one)");
    }
    if (values.isEmpty()) {
      return null;
    }
    JsonNode only = values.get(0);
    if (!only.isTextual()) {
      throw ScimException.invalidValue(path + " must be a string (or an array of one string)");
    }
    return TextNode.valueOf(only.textValue());
  }

  /**
   * {@link #oneRole} for the {@code role} (any case) of an extension no schema describes, kept
   * otherwise as sent. A role array stored before the rule is kept as stored.
   */
  private static void withOneRole(ObjectNode extension, String urn, StoredValues stored) {
    for (String key : extension.properties().stream().map(Map.Entry::getKey).toList()) {
      JsonNode value = extension.get(key);
      if (key.equalsIgnoreCase(ROLE) && value.isArray() && !stored.holds(urn, key, value)) {
        JsonNode role = oneRole(value, urn + ":" + key);
        if (role == null) {
          extension.remove(key);
        } else {
          extension.set(key, role);
        }
      }
    }
  }

  /**
   * Whether a key or a PATCH path names a password: {@code password} in any case, bare or
   * URN-qualified under any schema ({@code urn:...:enterprise:2.0:User:password}, a custom URN's).
   * The one test the normalizer, the PATCH editor and the journal apply: a password is accepted
   * and dropped wherever it is put, never stored, echoed or journaled.
   */
  public static boolean namesPassword(String name) {
    String a = name.strip().toLowerCase(Locale.ROOT);
    return a.equals("password") || a.startsWith("urn:") && a.endsWith(":password");
  }

  /**
   * Whether text at {@code path} (an attribute or {@code attribute.sub}) of the object of
   * {@code extensionUrn} (null: the core schema) is stored trimmed, here or by {@link IdentityText}:
   * names, emails and roles. A filter's {@code eq} literal compared with it is trimmed too, or a
   * lookup of "ada@x " found no user where a POST of it collided with "ada@x".
   */
  public static boolean storesTrimmed(String extensionUrn, String path) {
    if (extensionUrn != null) {
      return path.equalsIgnoreCase(ROLE);
    }
    String lower = path.toLowerCase(Locale.ROOT);
    return IDENTITY_TEXT.contains(lower) || lower.equals(ROLE) || lower.equals("roles.value");
  }

  /** Whether a key is a schema URN or a URN-qualified attribute path. */
  public static boolean isUrn(String key) {
    return key.regionMatches(true, 0, "urn:", 0, 4);
  }

  /**
   * Whether a URN may name a custom extension: {@code urn:}, then segments of letters, digits,
   * '.', '_' or '-' joined by ':' (Okta's {@code urn:okta:custom:1.0:User}, RFC 7643's). Not a
   * filter ({@code urn:x:y[a eq "b"]}), a space or a line break, which would become a key of the
   * stored user and an entry of its {@code schemas}.
   */
  public static boolean isWellFormedUrn(String urn) {
    return WELL_FORMED_URN.matcher(urn).matches();
  }

  private static void requireSchemas(JsonNode body) {
    JsonNode schemas = JsonFields.get(body, "schemas");
    if (schemas == null || !schemas.isArray()) {
      throw ScimException.invalidSyntax("'schemas' is required and must be an array of URNs");
    }
    for (JsonNode s : schemas) {
      if (!s.isTextual()) {
        throw ScimException.invalidSyntax("'schemas' must contain only strings");
      }
    }
  }

  private void topLevelField(ResourceSchema schema, String key, JsonNode value, ObjectNode attrs,
      List<String> unknown, StoredValues stored) {
    AttributeDef def = schema.topLevel(key).orElse(null);
    if (def == null) {
      unknown.add(key);
      return;
    }
    // RFC 7644 §3.3: readOnly input is ignored; the password is never kept (writeOnly, §1.2).
    if (def.isReadOnly() || def.mutability() == Mutability.WRITE_ONLY) {
      return;
    }
    put(attrs, def.name(), attributeValue(def, value, def.name(), stored));
  }

  private void urnField(ResourceSchema schema, String key, JsonNode value, ObjectNode attrs,
      Map<String, ObjectNode> extensions, List<String> unknown, StoredValues stored) {
    if (value.isNull() || namesPassword(key)) {
      return;
    }
    if (schema.core().id().equalsIgnoreCase(key)) {
      requireObject(value, key);
      value.properties().forEach(f -> topLevelField(schema, f.getKey(), f.getValue(), attrs,
          unknown, stored));
      return;
    }
    SchemaDef ext = schema.extension(key).orElse(null);
    if (ext != null) {
      requireObject(value, key);
      ObjectNode target = extensions.computeIfAbsent(ext.id(), k -> JSON.objectNode());
      value.properties().forEach(f -> extensionField(ext, f.getKey(), f.getValue(), target, stored));
      return;
    }
    ResolvedAttribute resolved = schema.resolve(key).orElse(null);
    if (resolved != null && resolved.subAttribute() == null) {
      // A URN-qualified attribute used as a key, as Entra does in path-less PATCH values.
      if (resolved.inExtension()) {
        ObjectNode target = extensions.computeIfAbsent(resolved.extensionUrn(),
            k -> JSON.objectNode());
        extensionField(schema.extension(resolved.extensionUrn()).orElseThrow(),
            resolved.attribute().name(), value, target, stored);
      } else {
        topLevelField(schema, resolved.attribute().name(), value, attrs, unknown, stored);
      }
      return;
    }
    if (!value.isObject() || !isWellFormedUrn(key)) {
      unknown.add(key);
      return;
    }
    // An extension no schema describes (Okta's custom namespace): kept as sent, but for a role array
    // and any password.
    ObjectNode custom = (ObjectNode) withoutPasswords(value);
    if (schema == ResourceSchema.USER) {
      withOneRole(custom, key, stored);
    }
    extensions.merge(key, custom, (a, b) -> (ObjectNode) a.setAll(b));
  }

  private void extensionField(SchemaDef ext, String key, JsonNode value, ObjectNode target, StoredValues stored) {
    if (namesPassword(key)) {
      return;
    }
    AttributeDef def = ext.attribute(key).orElse(null);
    if (def == null) {
      // A custom attribute in a known namespace (e.g. role under the enterprise URN): kept.
      if (!value.isNull()) {
        target.set(key, withoutPasswords(value));
      }
      return;
    }
    if (def.isReadOnly()) {
      return;
    }
    put(target, def.name(), attributeValue(def, value, ext.id() + ":" + def.name(), stored));
  }

  /** A copy of a value kept as sent (a custom attribute or extension) without any member naming a password, at any depth. */
  private static JsonNode withoutPasswords(JsonNode value) {
    if (value.isObject()) {
      ObjectNode out = JSON.objectNode();
      value.properties().forEach(f -> {
        if (!namesPassword(f.getKey())) {
          out.set(f.getKey(), withoutPasswords(f.getValue()));
        }
      });
      return out;
    }
    if (value.isArray()) {
      ArrayNode out = JSON.arrayNode();
      value.forEach(e -> out.add(withoutPasswords(e)));
      return out;
    }
    return value;
  }

  private static void put(ObjectNode target, String name, JsonNode value) {
    if (target.has(name)) {
      throw ScimException.invalidSyntax("Attribute " + name + " appears more than once");
    }
    if (value != null) {
      target.set(name, value);
    }
  }

  private ObjectNode assemble(ResourceSchema schema, ObjectNode attrs,
      Map<String, ObjectNode> extensions) {
    for (AttributeDef def : schema.topLevelAttributes()) {
      if (def.required()) {
        JsonNode v = attrs.get(def.name());
        if (v == null || v.asText().isBlank()) {
          throw ScimException.invalidValue(def.name() + " is required and must not be blank");
        }
      }
    }
    if (schema == ResourceSchema.GROUP && !attrs.has("members")) {
      attrs.putArray("members");
    }
    ObjectNode out = JSON.objectNode();
    ArrayNode schemas = out.putArray("schemas");
    schemas.add(schema.core().id());
    extensions.forEach((urn, obj) -> {
      if (!obj.isEmpty()) {
        schemas.add(urn);
        attrs.set(urn, obj);
      }
    });
    out.setAll(attrs);
    return out;
  }

  /**
   * A multi-valued attribute holds at most {@code maxValues} values, or as many as it holds stored:
   * a request may not grow it past the limit, but one stored before the limit is not refused.
   */
  private JsonNode multiValue(AttributeDef def, JsonNode value, String path, StoredValues stored) {
    if (!value.isArray()) {
      throw ScimException.invalidValue(path + " must be an array");
    }
    int limit = Math.max(limits.maxValues(), stored.count(path));
    if (!isMembers(def) && value.size() > limit) {
      throw ScimException.tooMany(path + " has " + value.size() + " values; at most " + limit
          + (limit > limits.maxValues() ? " (as many as it holds stored)" : "") + " are accepted");
    }
    ArrayNode out = JSON.arrayNode();
    Set<JsonNode> seen = new HashSet<>();
    Set<String> memberIds = new HashSet<>();
    for (JsonNode element : value) {
      JsonNode v = def.isComplex()
          ? complexValue(def, element, path)
          : simpleValue(def, element, path);
      if (v == null || !seen.add(v)) {
        continue;
      }
      if (isMembers(def)) {
        JsonNode id = v.get("value");
        if (id == null) {
          throw ScimException.invalidValue(path + "[].value is required");
        }
        if (!memberIds.add(id.asText())) {
          continue;
        }
      }
      out.add(v);
    }
    // RFC 7643 §2.5: an empty multi-valued attribute is unassigned (members stay: see assemble).
    return out.isEmpty() && !isMembers(def) ? null : out;
  }

  private static boolean isMembers(AttributeDef def) {
    return def.name().equals("members");
  }

  private JsonNode complexValue(AttributeDef def, JsonNode value, String path) {
    JsonNode v = value;
    if (!def.multiValued() && def.subAttribute("value").isPresent()) {
      // Entra sends the manager as a bare id or as a one-element array (§4.7).
      if (v.isTextual()) {
        v = JSON.objectNode().set("value", v);
      } else if (v.isArray()) {
        if (v.isEmpty()) {
          return null;
        }
        v = v.get(0);
      }
    }
    if (v.isNull()) {
      return null;
    }
    requireObject(v, path);
    ObjectNode out = JSON.objectNode();
    for (Map.Entry<String, JsonNode> field : v.properties()) {
      String subPath = path + "." + field.getKey();
      AttributeDef sub = def.subAttribute(field.getKey()).orElse(null);
      if (sub == null) {
        ignored("sub-attribute " + subPath);
        continue;
      }
      if (sub.isReadOnly()) {
        continue;
      }
      put(out, sub.name(), simpleValue(sub, field.getValue(), path + "." + sub.name()));
    }
    JsonNode id = out.get("value");
    // {"value":""} is how Entra clears a manager (§4.7): a blank value leaves it unassigned.
    if (out.isEmpty() || (id != null && id.isTextual() && id.textValue().isBlank())) {
      return null;
    }
    return out;
  }

  private static JsonNode simpleValue(AttributeDef def, JsonNode value, String path) {
    if (value == null || value.isNull()) {
      return null;
    }
    switch (def.type()) {
      case BOOLEAN:
        if (value.isBoolean()) {
          return value;
        }
        Boolean spelled = JsonFields.bool(value);
        if (spelled != null) {
          return BooleanNode.valueOf(spelled);
        }
        throw ScimException.invalidValue(path + " must be a boolean");
      case INTEGER:
        if (value.isIntegralNumber()) {
          return value;
        }
        throw ScimException.invalidValue(path + " must be an integer");
      case DECIMAL:
        if (value.isNumber()) {
          return value;
        }
        throw ScimException.invalidValue(path + " must be a number");
      case DATE_TIME:
        requireText(value, path);
        try {
          OffsetDateTime.parse(value.textValue());
        } catch (DateTimeParseException e) {
          throw ScimException.invalidValue(path + " must be an xsd:dateTime");
        }
        return value;
      case COMPLEX:
        throw ScimException.invalidValue(path + " must be a simple value");
      default:
        requireText(value, path);
        // Fulcrum trims names and emails: trimmed here, "ada@x " is the same user as "ada@x" (a 409 now,
        // not a DEAD row later), also to the value filters of the PATCH operations that follow.
        return IDENTITY_TEXT.contains(path.toLowerCase(Locale.ROOT))
            ? TextNode.valueOf(value.textValue().strip()) : TextNode.valueOf(value.textValue());
    }
  }

  private static void requireText(JsonNode value, String path) {
    if (!value.isTextual()) {
      throw ScimException.invalidValue(path + " must be a string");
    }
  }

  private static void requireObject(JsonNode value, String path) {
    if (!value.isObject()) {
      throw ScimException.invalidValue(path + " must be a JSON object");
    }
  }
}
