package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The places of a normalized user a role may come from (okta-scim.md §1.8), in the order
 * {@link UserFields} reads them: the bridge's extension, the top-level {@code role}, any other
 * extension object's {@code role} (any case), then {@code roles[]} (the primary value, or the only
 * one). Role names compare ignoring case, as Fulcrum's do.
 */
public final class RolePlaces {
  /** The place of the top-level {@code role}. */
  static final String TOP_LEVEL = "role";
  /** The place of {@code roles[]}. */
  static final String ROLES = "roles";

  private RolePlaces() {}

  /** The role each place names, in reading order; places naming none are left out. */
  public static Map<String, String> of(ObjectNode user) {
    Map<String, String> out = new LinkedHashMap<>();
    put(out, UserFields.FULCRUM_EXTENSION, UserFields.text(user.path(UserFields.FULCRUM_EXTENSION).get(TOP_LEVEL)));
    put(out, TOP_LEVEL, UserFields.text(user.get(TOP_LEVEL)));
    for (Map.Entry<String, JsonNode> field : user.properties()) {
      if (field.getKey().regionMatches(true, 0, "urn:", 0, 4)) {
        put(out, field.getKey(), roleIn(field.getValue()));
      }
    }
    put(out, ROLES, fromRoles(user.path(ROLES)));
    return out;
  }

  /** The role the user gets: the first place's, or null when no place names one. */
  static String role(ObjectNode user) {
    return of(user).values().stream().findFirst().orElse(null);
  }

  /** The different roles the user's places name (in lower case); more than one is ambiguous. */
  public static Set<String> distinct(ObjectNode user) {
    Set<String> out = new TreeSet<>();
    of(user).values().forEach(role -> out.add(role.toLowerCase(Locale.ROOT)));
    return out;
  }

  /**
   * The role last set wins: a request that makes a place name a role it did not name in
   * {@code previous} (null for a create) clears the places naming another role, which the client
   * no longer sends (its mapping moved: a PATCH sends only the new place, and the old one would
   * otherwise be read first, a downgrade answered 200 and never applied). Places the request left
   * as they were do not count, so a PUT echoing a stale place beside the new one settles alike.
   * When the places it set name different roles, which one was meant is a guess: nothing is
   * cleared. Changes {@code user} in place.
   */
  public static void settle(ObjectNode user, ObjectNode previous) {
    Map<String, String> before = previous == null ? Map.of() : of(previous);
    Set<String> set = new TreeSet<>();
    of(user).forEach((place, role) -> {
      if (!role.equalsIgnoreCase(before.getOrDefault(place, ""))) {
        set.add(role.toLowerCase(Locale.ROOT));
      }
    });
    if (set.size() != 1) {
      return;
    }
    String role = set.iterator().next();
    List<String> stale = new ArrayList<>();
    of(user).forEach((place, named) -> {
      if (!named.equalsIgnoreCase(role)) {
        stale.add(place);
      }
    });
    stale.forEach(place -> clear(user, place));
  }

  private static void clear(ObjectNode user, String place) {
    if (place.equals(TOP_LEVEL) || place.equals(ROLES)) {
      user.remove(place);
      return;
    }
    ObjectNode extension = (ObjectNode) user.get(place);
    List<String> keys = extension.properties().stream().map(Map.Entry::getKey)
        .filter(key -> key.equalsIgnoreCase(TOP_LEVEL)).toList();
    extension.remove(keys);
    if (extension.isEmpty()) {
      // An extension object left empty is unassigned (RFC 7643 §2.5): its URN leaves schemas too.
      user.remove(place);
      JsonNode schemas = user.get("schemas");
      if (schemas instanceof ArrayNode list) {
        list.removeIf(urn -> urn.asText().equals(place));
      }
    }
  }

  private static void put(Map<String, String> out, String place, String role) {
    if (role != null) {
      out.putIfAbsent(place, role);
    }
  }

  /** An extension's {@code role} in any case (SCIM names compare without case). */
  private static String roleIn(JsonNode extension) {
    for (Map.Entry<String, JsonNode> field : extension.properties()) {
      if (field.getKey().equalsIgnoreCase(TOP_LEVEL)) {
        return UserFields.text(field.getValue());
      }
    }
    return null;
  }

  private static String fromRoles(JsonNode roles) {
    for (JsonNode r : roles) {
      if (r.path("primary").asBoolean(false) && UserFields.text(r.get("value")) != null) {
        return UserFields.text(r.get("value"));
      }
    }
    return roles.size() == 1 ? UserFields.text(roles.get(0).get("value")) : null;
  }
}
