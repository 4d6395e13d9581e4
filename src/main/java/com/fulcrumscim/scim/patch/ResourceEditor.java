package com.fulcrumscim.scim.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.journal.TerminalText;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.filter.AttrPath;
import com.fulcrumscim.scim.filter.CompareOp;
import com.fulcrumscim.scim.filter.Filter;
import com.fulcrumscim.scim.filter.FilterEvaluator;
import com.fulcrumscim.scim.filter.FilterParser;
import com.fulcrumscim.scim.filter.PatchPath;
import com.fulcrumscim.scim.patch.PatchOperation.Kind;
import com.fulcrumscim.scim.schema.AttributeDef;
import com.fulcrumscim.scim.schema.JsonFields;
import com.fulcrumscim.scim.schema.ResolvedAttribute;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.scim.schema.ResourceSchema;
import com.fulcrumscim.scim.schema.SchemaDef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Applies operations one by one to a working copy of a resource. Values are canonicalized as they
 * go in (so later operations and value filters see canonical names and booleans); the caller
 * re-normalizes the whole result once at the end.
 */
final class ResourceEditor {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final ObjectNode work;
  private final ResourceSchema schema;
  private final ResourceNormalizer normalizer;
  /** Evaluations spent so far, against {@link PatchApplier#MAX_EVALUATION_COST}. */
  private long cost;
  /** Calls of {@link #at} so far: each is one step that may change any attribute. */
  private long steps;
  /** The last index built: current only if this step or the one before last used it. */
  private ValueIndex index;
  private long indexedStep;
  /** Unknown core attributes operations named, by lower-case name, in the order first seen. */
  private final Map<String, String> ignored = new LinkedHashMap<>();

  ResourceEditor(ObjectNode work, ResourceSchema schema, ResourceNormalizer normalizer) {
    this.work = work;
    this.schema = schema;
    this.normalizer = normalizer;
  }

  /** The unknown core attributes the operations named (not their values): ignored, not stored. */
  Collection<String> ignored() {
    return ignored.values();
  }

  void apply(PatchOperation op) {
    if (op.path() != null) {
      at(op.kind(), op.path(), op.value());
      return;
    }
    if (op.kind() == Kind.REMOVE) {
      throw ScimException.noTarget("A remove operation needs a path");
    }
    if (!op.value().isObject()) {
      throw ScimException.invalidValue("An operation without a path needs an object value");
    }
    // Path-less add/replace: each key is itself a path, plain, dotted or URN-qualified (§4.3).
    JsonFields.requireDistinctNames(op.value());
    for (Map.Entry<String, JsonNode> field : op.value().properties()) {
      if (!field.getKey().equalsIgnoreCase("schemas")) {
        at(op.kind(), field.getKey(), field.getValue(), true);
      }
    }
  }

  private void at(Kind kind, String path, JsonNode value) {
    at(kind, path, value, false);
  }

  /**
   * {@code inValue}: the path is a key of an operation's value object (path-less, or a whole
   * schema's), not an operation's own path. A read-only attribute there is skipped, as a POST or
   * PUT skips it: Okta puts the group's {@code id} in every rename value and a client may echo
   * {@code meta} (okta-scim.md §1.7, §4.9), and refusing them refused the deactivation beside them.
   * An operation whose own path names one is still {@code mutability}.
   */
  private void at(Kind kind, String path, JsonNode value, boolean inValue) {
    if (ResourceNormalizer.namesPassword(path)) {
      // Under an extension or a custom URN it would be a custom attribute, stored and echoed.
      return;
    }
    steps++;
    if (ResourceNormalizer.isUrn(path)) {
      if (schema.knowsSchema(path)) {
        wholeSchema(kind, schema.extension(path).orElse(schema.core()), value);
        return;
      }
      String customKey = JsonFields.key(work, path);
      if (customKey != null || (kind != Kind.REMOVE && value.isObject() && !schema.qualifiedByKnownSchema(path)
          && !namesAttributeOfHeldExtension(path))) {
        customExtension(kind, customKey == null ? extensionUrn(path, path) : customKey, value);
        return;
      }
    }
    PatchPath parsed = FilterParser.parsePath(path);
    AttrPath ap = parsed.attribute();
    Optional<ResolvedAttribute> resolved =
        schema.resolve(ap.schemaUrn(), ap.attribute(), ap.subAttribute());
    if (resolved.isEmpty()) {
      customAttribute(kind, parsed, path, value);
      return;
    }
    ResolvedAttribute r = resolved.get();
    if (r.attribute().isReadOnly() || (r.subAttribute() != null && r.subAttribute().isReadOnly())) {
      if (!inValue) {
        readOnly(kind, parsed, r, value);
      }
      return;
    }
    ObjectNode container = container(r.extensionUrn());
    if (parsed.valueFilter() != null) {
      filtered(kind, container, r.attribute(), parsed, path, value);
    } else if (r.subAttribute() != null) {
      subAttribute(kind, container, r.attribute(), r.subAttribute(), path, value);
    } else {
      attribute(kind, container, r.attribute(), path, value);
    }
  }

  /**
   * An operation on a core attribute or sub-attribute the schema does not define does nothing,
   * as POST and PUT drop one: a misspelt or extra IdP mapping must not refuse the whole PATCH,
   * with a deactivation in it. Unknown names under an extension URN are custom attributes, kept.
   */
  private void ignore(String attribute) {
    ignored.putIfAbsent(attribute.toLowerCase(Locale.ROOT), TerminalText.cut(attribute, 100));
  }

  /**
   * {@code <URN of an extension object the resource holds>:<attribute>}: an attribute of that
   * extension, an object value too, as a scalar one is. Taken as a whole extension, it became a
   * second one named after the path, beside the one it belongs to.
   */
  private boolean namesAttributeOfHeldExtension(String path) {
    int colon = path.lastIndexOf(':');
    String key = JsonFields.key(work, path.substring(0, colon));
    return key != null && work.get(key).isObject();
  }

  /** A schema URN as the path: its attributes one by one, or (an extension) all of it. */
  private void wholeSchema(Kind kind, SchemaDef target, JsonNode value) {
    boolean core = target == schema.core();
    if (kind == Kind.REMOVE) {
      if (core) {
        throw ScimException.invalidPath("The core schema " + target.id() + " cannot be removed");
      }
      removeKey(work, target.id());
      return;
    }
    if (value.isNull()) {
      return;
    }
    if (!value.isObject()) {
      throw ScimException.invalidValue(target.id() + " must be a JSON object");
    }
    JsonFields.requireDistinctNames(value);
    for (Map.Entry<String, JsonNode> field : value.properties()) {
      at(kind, core ? field.getKey() : target.id() + ":" + field.getKey(), field.getValue(), true);
    }
  }

  /** An extension no schema describes, kept as sent: replace merges, remove drops it. */
  private void customExtension(Kind kind, String key, JsonNode value) {
    if (kind == Kind.REMOVE || value.isNull()) {
      work.remove(key);
      return;
    }
    if (!value.isObject()) {
      throw ScimException.invalidValue(key + " must be a JSON object");
    }
    JsonNode current = work.get(key);
    ObjectNode target = current != null && current.isObject() ? (ObjectNode) current
        : work.putObject(key);
    target.setAll((ObjectNode) value.deepCopy());
  }

  /**
   * A path the schema does not resolve: in the core schema, ignored; {@code urn:<custom or known
   * extension>:attr}, a custom attribute.
   */
  private void customAttribute(Kind kind, PatchPath parsed, String path, JsonNode value) {
    AttrPath ap = parsed.attribute();
    if (ap.schemaUrn() == null || schema.core().id().equalsIgnoreCase(ap.schemaUrn())) {
      ignore(ap.toString());
      return;
    }
    if (parsed.valueFilter() != null || ap.subAttribute() != null) {
      throw ScimException.invalidPath("Unknown attribute path '" + path + "' for "
          + schema.resourceType());
    }
    String containerKey = schema.extension(ap.schemaUrn()).map(SchemaDef::id).orElseGet(() -> {
      String existing = JsonFields.key(work, ap.schemaUrn());
      return existing != null ? existing : extensionUrn(ap.schemaUrn(), path);
    });
    JsonNode current = work.get(containerKey);
    if (kind == Kind.REMOVE || value.isNull()) {
      if (current != null) {
        removeKey(current, ap.attribute());
      }
      return;
    }
    ObjectNode container = current != null && current.isObject() ? (ObjectNode) current
        : work.putObject(containerKey);
    removeKey(container, ap.attribute());
    container.set(ap.attribute(), value.deepCopy());
  }

  /**
   * The URN of a custom extension an operation creates, which becomes a key of the resource and
   * an entry of its schemas: one that is not well formed ({@code urn:x:y[a eq "b"]}) is a malformed path.
   */
  private static String extensionUrn(String urn, String path) {
    if (!ResourceNormalizer.isWellFormedUrn(urn)) {
      throw ScimException.invalidPath("Invalid path '" + TerminalText.cut(path, 100) + "': a schema URN is 'urn:' and segments of"
          + " letters, digits, '.', '_' or '-' joined by ':'");
    }
    return urn;
  }

  /** id, meta, groups: an operation is accepted only when it would change nothing (Okta's rename). */
  private void readOnly(Kind kind, PatchPath parsed, ResolvedAttribute r, JsonNode value) {
    if (kind != Kind.REMOVE && parsed.valueFilter() == null) {
      JsonNode current = JsonFields.get(container(r.extensionUrn()), r.attribute().name());
      if (r.subAttribute() != null) {
        current = JsonFields.get(current, r.subAttribute().name());
      }
      if (unassigned(current) ? unassigned(value) : current.equals(value)) {
        return;
      }
    }
    throw ScimException.mutability(r.path() + " is read-only");
  }

  private void attribute(Kind kind, ObjectNode container, AttributeDef def, String path,
      JsonNode value) {
    String name = def.name();
    if (kind == Kind.REMOVE) {
      if (def.multiValued() && value != null && !value.isNull()) {
        removeListed(container, def, value);
      } else {
        container.remove(name);
      }
      return;
    }
    JsonNode v = normalizer.attributeValue(def, def.multiValued() ? asArray(value) : value, path);
    JsonNode current = container.get(name);
    if (v == null) {
      container.remove(name);
    } else if (def.multiValued() && kind == Kind.ADD && current != null && current.isArray()) {
      // Duplicates (members by value) fold when the result is normalized.
      ((ArrayNode) current).addAll((ArrayNode) v);
      singlePrimary(def, (ArrayNode) current, elements(v));
    } else if (!def.multiValued() && def.isComplex() && current != null && current.isObject()) {
      // RFC 7644 §3.5.2.3: sub-attributes not given are left unchanged.
      ((ObjectNode) current).setAll((ObjectNode) v);
    } else {
      container.set(name, v);
    }
  }

  /** {@code name.givenName}, {@code manager.value}; for a multi-valued one, every element. */
  private void subAttribute(Kind kind, ObjectNode container, AttributeDef def, AttributeDef sub,
      String path, JsonNode value) {
    JsonNode v = kind == Kind.REMOVE ? null : normalizer.attributeValue(sub, value, path);
    JsonNode current = container.get(def.name());
    if (def.multiValued()) {
      List<JsonNode> elements = current == null ? List.of() : elements(current);
      if (elements.isEmpty() && v != null) {
        container.putArray(def.name()).addObject().set(sub.name(), v);
      }
      elements.forEach(e -> setOrRemove((ObjectNode) e, sub.name(), v));
      return;
    }
    if (current == null || !current.isObject()) {
      if (v == null) {
        return;
      }
      current = container.putObject(def.name());
    }
    setOrRemove((ObjectNode) current, sub.name(), v);
    if (current.isEmpty()) {
      container.remove(def.name());
    }
  }

  /** {@code emails[type eq "work"]} and {@code emails[type eq "work"].value}. */
  private void filtered(Kind kind, ObjectNode container, AttributeDef def, PatchPath parsed,
      String path, JsonNode value) {
    if (!def.multiValued() || !def.isComplex()) {
      throw ScimException.invalidPath(def.name() + " is not a multi-valued complex attribute: "
          + path);
    }
    AttributeDef sub = parsed.subAttribute() == null ? null
        : def.subAttribute(parsed.subAttribute()).orElse(null);
    if (parsed.subAttribute() != null && sub == null) {
      ignore(def.name() + "." + parsed.subAttribute());
      return;
    }
    // Compiled even when the index answers: compiling is what validates the filter. Each test's
    // first evaluation is charged below, before the scan; what a long string costs beyond it, as it runs.
    Predicate<JsonNode> match = FilterEvaluator.compileElement(parsed.valueFilter(), def, units -> charge(units - 1, path));
    JsonNode current = container.get(def.name());
    ArrayNode array = current != null && current.isArray() ? (ArrayNode) current : JSON.arrayNode();
    String wanted = ValueIndex.looksUp(parsed.valueFilter());
    AttributeDef valueDef = wanted == null ? null : ValueIndex.indexable(def);
    if (valueDef != null) {
      ValueIndex byValue = index(valueDef, array, path);
      charge(1, path);
      List<JsonNode> matches = new ArrayList<>(byValue.find(wanted));
      // Forgotten before the edit, which may change their value or remove them.
      matches.forEach(byValue::remove);
      edit(kind, container, def, sub, parsed, path, value, array, matches).forEach(byValue::add);
      return;
    }
    charge((long) array.size() * terms(parsed.valueFilter(), path), path);
    List<JsonNode> matches = new ArrayList<>();
    for (JsonNode e : array) {
      if (e.isObject() && match.test(e)) {
        matches.add(e);
      }
    }
    edit(kind, container, def, sub, parsed, path, value, array, matches);
  }

  /** Applies a filtered operation to its matches; returns those (or the one created) still there. */
  private List<JsonNode> edit(Kind kind, ObjectNode container, AttributeDef def, AttributeDef sub,
      PatchPath parsed, String path, JsonNode value, ArrayNode array, List<JsonNode> matches) {
    if (kind == Kind.REMOVE) {
      // A filter that matches nothing removes nothing (Okta re-sends member removals).
      if (sub == null) {
        removeElements(array, matches);
        return List.of();
      }
      matches.forEach(e -> ((ObjectNode) e).remove(sub.name()));
      return matches;
    }
    JsonNode v = sub == null ? element(def, value, path) : normalizer.attributeValue(sub, value, path);
    if (matches.isEmpty()) {
      // Entra adds emails[type eq "work"].value to a user without one: create the element (§4.6).
      ObjectNode created = fromFilter(parsed.valueFilter(), def, path);
      array.add(created);
      matches.add(created);
    }
    for (JsonNode e : matches) {
      if (sub != null) {
        setOrRemove((ObjectNode) e, sub.name(), v);
      } else if (v != null) {
        ((ObjectNode) e).setAll((ObjectNode) v);
      }
    }
    boolean removed = sub == null && v == null;
    if (removed) {
      removeElements(array, matches);
    }
    container.set(def.name(), array);
    singlePrimary(def, array, matches);
    return removed ? List.of() : matches;
  }

  /**
   * The index of {@code array} by value: the one this or the previous step kept current, or a new
   * one, charged one evaluation per element. Any other step may have changed the array.
   */
  private ValueIndex index(AttributeDef valueDef, ArrayNode array, String path) {
    if (index == null || !index.covers(array) || indexedStep < steps - 1) {
      charge(array.size(), path);
      index = new ValueIndex(array, valueDef);
    }
    indexedStep = steps;
    return index;
  }

  /** Removes these very elements; one pass, and none at all when nothing matched. */
  private static void removeElements(ArrayNode array, List<JsonNode> gone) {
    if (!gone.isEmpty()) {
      array.removeIf(identities(gone)::contains);
    }
  }

  /** Identity, not equals: List.contains would compare deeply, once per element per match. */
  private static Set<JsonNode> identities(List<JsonNode> nodes) {
    Set<JsonNode> set = Collections.newSetFromMap(new IdentityHashMap<>());
    set.addAll(nodes);
    return set;
  }

  /** Comparisons in a value filter; more than {@link PatchApplier#MAX_FILTER_TERMS} is refused. */
  private static int terms(Filter filter, String path) {
    int n;
    if (filter instanceof Filter.And and) {
      n = terms(and.left(), path) + terms(and.right(), path);
    } else if (filter instanceof Filter.Or or) {
      n = terms(or.left(), path) + terms(or.right(), path);
    } else if (filter instanceof Filter.Not not) {
      n = terms(not.filter(), path);
    } else if (filter instanceof Filter.ValuePath vp) {
      n = terms(vp.filter(), path);
    } else {
      n = 1;
    }
    if (n > PatchApplier.MAX_FILTER_TERMS) {
      throw ScimException.tooMany("the filter in path " + TerminalText.cut(path, 100) + " has more than "
          + PatchApplier.MAX_FILTER_TERMS + " comparisons");
    }
    return n;
  }

  private void charge(long units, String path) {
    cost += units;
    if (cost > PatchApplier.MAX_EVALUATION_COST) {
      throw ScimException.tooMany("this PATCH request needs more than " + PatchApplier.MAX_EVALUATION_COST
          + " filter evaluations (at path " + TerminalText.cut(path, 100) + "; a long string, or a long co string, counts as "
          + "several); send fewer filtered operations per request");
    }
  }

  /** Entra's {@code remove members} with a value array: only the listed members go (§4.4). */
  private void removeListed(ObjectNode container, AttributeDef def, JsonNode value) {
    JsonNode current = container.get(def.name());
    JsonNode listed = normalizer.attributeValue(def, asArray(value), def.name());
    if (current == null || !current.isArray() || listed == null) {
      return;
    }
    ArrayNode array = (ArrayNode) current;
    AttributeDef valueDef = ValueIndex.indexable(def);
    List<JsonNode> gone = new ArrayList<>();
    for (JsonNode l : elements(listed)) {
      JsonNode id = l.get("value");
      if (valueDef != null && id != null && id.isTextual()) {
        charge(1, def.name());
        index(valueDef, array, def.name()).find(id.textValue()).stream()
            .filter(e -> sameElement(e, l)).forEach(gone::add);
      } else {
        charge(array.size(), def.name());
        array.forEach(e -> {
          if (sameElement(e, l)) {
            gone.add(e);
          }
        });
      }
    }
    removeElements(array, gone);
    if (index != null && index.covers(array)) {
      gone.forEach(index::remove);
    }
  }

  private static boolean sameElement(JsonNode existing, JsonNode listed) {
    JsonNode id = listed.get("value");
    return id != null && existing.isObject() ? id.equals(existing.get("value"))
        : existing.equals(listed);
  }

  /** The element a filter of eq terms joined by and describes, e.g. {"type":"work"}. */
  private ObjectNode fromFilter(Filter filter, AttributeDef def, String path) {
    ObjectNode out = JSON.objectNode();
    List<Filter> terms = new ArrayList<>();
    terms.add(filter);
    while (!terms.isEmpty()) {
      Filter f = terms.remove(terms.size() - 1);
      if (f instanceof Filter.And and) {
        terms.add(and.left());
        terms.add(and.right());
      } else if (f instanceof Filter.Compare c && c.op() == CompareOp.EQ) {
        AttributeDef sub = def.subAttribute(c.path().attribute()).orElseThrow();
        JsonNode v = normalizer.attributeValue(sub, c.value(), path);
        if (v != null) {
          out.set(sub.name(), v);
        }
      } else {
        throw ScimException.noTarget("No value matches " + path
            + ", and its filter does not describe one to create");
      }
    }
    return out;
  }

  /** One element of a multi-valued complex attribute, canonicalized; null if it is empty. */
  private JsonNode element(AttributeDef def, JsonNode value, String path) {
    JsonNode array = normalizer.attributeValue(def, JSON.arrayNode().add(value), path);
    return array == null || array.isEmpty() ? null : array.get(0);
  }

  /** RFC 7644 §3.5.2: setting primary on one value clears it on the others. */
  private static void singlePrimary(AttributeDef def, ArrayNode array, List<JsonNode> touched) {
    if (def.subAttribute("primary").isEmpty()) {
      return;
    }
    JsonNode primary = null;
    for (JsonNode e : touched) {
      if (e.path("primary").asBoolean(false)) {
        primary = e;
      }
    }
    if (primary == null) {
      return;
    }
    for (JsonNode e : array) {
      if (e != primary && e.path("primary").asBoolean(false)) {
        ((ObjectNode) e).put("primary", false);
      }
    }
  }

  private ObjectNode container(String extensionUrn) {
    if (extensionUrn == null) {
      return work;
    }
    String key = JsonFields.key(work, extensionUrn);
    JsonNode current = key == null ? null : work.get(key);
    return current != null && current.isObject() ? (ObjectNode) current
        : work.putObject(extensionUrn);
  }

  private static void setOrRemove(ObjectNode target, String name, JsonNode value) {
    if (value == null) {
      target.remove(name);
    } else {
      target.set(name, value);
    }
  }

  private static void removeKey(JsonNode object, String name) {
    String key = JsonFields.key(object, name);
    if (key != null) {
      ((ObjectNode) object).remove(key);
    }
  }

  private static JsonNode asArray(JsonNode value) {
    return value.isArray() || value.isNull() ? value : JSON.arrayNode().add(value);
  }

  private static List<JsonNode> elements(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(e -> {
      if (e.isObject()) {
        out.add(e);
      }
    });
    return out;
  }

  private static boolean unassigned(JsonNode v) {
    return v == null || v.isNull() || (v.isArray() && v.isEmpty());
  }
}
