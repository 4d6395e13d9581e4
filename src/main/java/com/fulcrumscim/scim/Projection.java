package com.fulcrumscim.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code attributes} / {@code excludedAttributes} parameters (RFC 7644 §3.4.2.5): which
 * attributes a response carries. Names are case-insensitive, may be dotted ({@code name.givenName})
 * and may carry a schema URN prefix. {@code id} and {@code schemas} are always returned.
 */
final class Projection {
  static final Projection ALL = new Projection(List.of(), false);
  private static final List<String> ALWAYS = List.of("id", "schemas");

  /** One requested attribute: an optional extension URN it lives under, then a dotted path. */
  private record Path(String urn, String attribute, String subAttribute) {}

  private final List<String> raw;
  private final boolean include;

  private Projection(List<String> raw, boolean include) {
    this.raw = raw;
    this.include = include;
  }

  /** {@code attributes} wins when both are given. */
  static Projection of(String attributes, String excludedAttributes) {
    if (attributes != null && !attributes.isBlank()) {
      return new Projection(split(attributes), true);
    }
    if (excludedAttributes != null && !excludedAttributes.isBlank()) {
      return new Projection(split(excludedAttributes), false);
    }
    return ALL;
  }

  private static List<String> split(String list) {
    List<String> out = new ArrayList<>();
    for (String s : list.split(",")) {
      if (!s.isBlank()) {
        out.add(s.strip());
      }
    }
    return out;
  }

  /** Whether {@code attribute} (top level) can appear in the result: lets callers skip loading it. */
  boolean wants(String attribute) {
    if (raw.isEmpty()) {
      return true;
    }
    // Including members.display needs members; excluding it leaves the rest of members (§3.4.2.5).
    boolean named = raw.stream().anyMatch(r -> r.equalsIgnoreCase(attribute)
        || include && r.toLowerCase(Locale.ROOT).startsWith(attribute.toLowerCase(Locale.ROOT) + ".")
        || r.toLowerCase(Locale.ROOT).endsWith(":" + attribute.toLowerCase(Locale.ROOT)));
    return include == named;
  }

  ObjectNode apply(ObjectNode resource) {
    if (raw.isEmpty()) {
      return resource;
    }
    List<Path> paths = raw.stream().map(r -> parse(r, resource)).toList();
    return include ? keep(resource, paths) : drop(resource, paths);
  }

  private static Path parse(String raw, ObjectNode resource) {
    String rest = raw;
    String urn = null;
    if (raw.regionMatches(true, 0, "urn:", 0, 4)) {
      String extension = fieldName(resource, raw);
      if (extension != null) {
        return new Path(extension, null, null);
      }
      int colon = raw.lastIndexOf(':');
      String prefix = raw.substring(0, colon);
      rest = raw.substring(colon + 1);
      urn = fieldName(resource, prefix);
    }
    int dot = rest.indexOf('.');
    return dot < 0 ? new Path(urn, rest, null) : new Path(urn, rest.substring(0, dot), rest.substring(dot + 1));
  }

  private static ObjectNode keep(ObjectNode resource, List<Path> paths) {
    ObjectNode out = resource.objectNode();
    List<ArrayNode> picked = new ArrayList<>();
    for (String always : ALWAYS) {
      if (resource.has(always)) {
        out.set(always, resource.get(always));
      }
    }
    for (Path p : paths) {
      ObjectNode from = p.urn() == null ? resource : asObject(resource.get(p.urn()));
      ObjectNode to = p.urn() == null ? out : child(out, p.urn());
      if (from == null) {
        continue;
      }
      if (p.attribute() == null) {
        out.set(p.urn(), from);
        continue;
      }
      String name = fieldName(from, p.attribute());
      if (name == null) {
        continue;
      }
      JsonNode value = from.get(name);
      if (value instanceof ArrayNode elements && p.subAttribute() != null) {
        pick(elements, p.subAttribute(), to, name, picked);
      } else if (p.subAttribute() == null || !value.isObject()) {
        to.set(name, value);
      } else {
        String sub = fieldName((ObjectNode) value, p.subAttribute());
        if (sub != null) {
          child(to, name).set(sub, value.get(sub));
        }
      }
    }
    // An element holding none of the sub-attributes asked for is no element of the answer.
    for (ArrayNode array : picked) {
      for (int i = array.size() - 1; i >= 0; i--) {
        if (array.get(i).isEmpty()) {
          array.remove(i);
        }
      }
    }
    return out;
  }

  /**
   * {@code emails.value}: each element of {@code elements} with that sub-attribute only (RFC 7644
   * §3.9), beside the others asked for; the whole array when {@code name} itself is asked for too.
   * {@code picked}: the arrays so built, element for element, so a second sub-attribute adds to
   * the same elements.
   */
  private static void pick(ArrayNode elements, String subAttribute, ObjectNode to, String name, List<ArrayNode> picked) {
    JsonNode existing = to.get(name);
    if (existing == elements) {
      return;
    }
    ArrayNode out = existing instanceof ArrayNode built && picked.stream().anyMatch(a -> a == built) ? built : null;
    if (out == null) {
      out = to.putArray(name);
      for (int i = 0; i < elements.size(); i++) {
        out.addObject();
      }
      picked.add(out);
    }
    for (int i = 0; i < elements.size(); i++) {
      if (elements.get(i) instanceof ObjectNode element) {
        String sub = fieldName(element, subAttribute);
        if (sub != null) {
          ((ObjectNode) out.get(i)).set(sub, element.get(sub));
        }
      }
    }
  }

  private static ObjectNode drop(ObjectNode resource, List<Path> paths) {
    ObjectNode out = resource.deepCopy();
    for (Path p : paths) {
      ObjectNode from = p.urn() == null ? out : asObject(out.get(p.urn()));
      if (from == null) {
        continue;
      }
      if (p.attribute() == null) {
        out.remove(p.urn());
        continue;
      }
      String name = fieldName(from, p.attribute());
      if (name == null || (from == out && ALWAYS.contains(name))) {
        continue;
      }
      if (p.subAttribute() == null) {
        from.remove(name);
      } else {
        removeSubAttribute(from.get(name), p.subAttribute());
      }
    }
    return out;
  }

  /** {@code name.givenName} from a complex value; {@code members.display} from each element. */
  private static void removeSubAttribute(JsonNode value, String subAttribute) {
    if (value.isArray()) {
      value.forEach(element -> removeSubAttribute(element, subAttribute));
    } else if (value instanceof ObjectNode parent) {
      String sub = fieldName(parent, subAttribute);
      if (sub != null) {
        parent.remove(sub);
      }
    }
  }

  private static ObjectNode child(ObjectNode parent, String name) {
    return parent.get(name) instanceof ObjectNode existing ? existing : parent.putObject(name);
  }

  private static ObjectNode asObject(JsonNode node) {
    return node instanceof ObjectNode o ? o : null;
  }

  /** The actual key in {@code object} that equals {@code name} ignoring case, or null. */
  private static String fieldName(ObjectNode object, String name) {
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      String key = it.next().getKey();
      if (key.equalsIgnoreCase(name)) {
        return key;
      }
    }
    return null;
  }
}
