package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
  /**
   * The key under which a user's stored document keeps the places {@link #settle} cleared, with
   * the role each named: stored only, never rendered (no SCIM attribute name starts with '$', so
   * a client's body never holds it: the normalizer drops it as unknown).
   */
  public static final String CLEARED = "$rolesCleared";

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
  public static String role(ObjectNode user) {
    return of(user).values().stream().findFirst().orElse(null);
  }

  /** The different roles the user's places name (in lower case); more than one is ambiguous. */
  public static Set<String> distinct(ObjectNode user) {
    Set<String> out = new TreeSet<>();
    of(user).values().forEach(role -> out.add(lower(role)));
    return out;
  }

  /**
   * The role last set wins: a request that makes a place name a role it did not name in
   * {@code previous} (null for a create) clears the places naming another role, which the client
   * no longer sends (its mapping moved: a PATCH sends only the new place, and the old one would
   * otherwise be read first, a downgrade answered 200 and never applied). Places the request left
   * as they were do not count, so a PUT echoing a stale place beside the new one settles alike.
   * When the places it set name different roles, which one was meant is a guess: nothing is
   * cleared.
   *
   * <p>A place cleared that comes back naming the role it was cleared of, while it stays empty in
   * the stored user, is not set either: that is a second role mapping in the identity provider
   * sending its role again (Okta's PUT sends every mapped attribute over the bridge's GET; a PATCH
   * adding it again is read alike), not a move, since a moved mapping stops sending the old place. When
   * the request sets no other role, such a place naming a role the request's other places do not
   * is cleared again and the stored role stays: counted as set, it cleared the winner, and the
   * role flipped at every profile push. The places cleared and their roles are kept in the
   * document under {@link #CLEARED}, for as long as the place stays empty. So a mapping moved
   * back to the very place and role it was cleared of is taken for the second mapping too; the
   * caller warns of it, and a different role sent there counts again. Changes {@code user} in
   * place.
   *
   * @return the places the request sent again with the role they were cleared of, and cleared again
   *     (place to role); empty when none
   */
  public static Map<String, String> settle(ObjectNode user, ObjectNode previous) {
    Map<String, String> before = previous == null ? Map.of() : of(previous);
    Map<String, String> cleared = previous == null ? new LinkedHashMap<>() : cleared(previous);
    Map<String, String> now = of(user);
    Map<String, String> resent = new LinkedHashMap<>();
    Set<String> set = new TreeSet<>();
    now.forEach((place, role) -> {
      if (role.equalsIgnoreCase(cleared.getOrDefault(place, ""))) {
        resent.put(place, role);
      } else if (!role.equalsIgnoreCase(before.getOrDefault(place, ""))) {
        set.add(lower(role));
      }
    });
    Map<String, String> stale = new LinkedHashMap<>();
    if (set.size() == 1) {
      String role = set.iterator().next();
      now.forEach((place, named) -> {
        if (!lower(named).equals(role)) {
          stale.put(place, named);
        }
      });
    }
    Map<String, String> again = new LinkedHashMap<>();
    if (set.isEmpty()) {
      Set<String> kept = new TreeSet<>();
      now.forEach((place, named) -> {
        if (!resent.containsKey(place)) {
          kept.add(lower(named));
        }
      });
      resent.forEach((place, named) -> {
        if (!kept.isEmpty() && !kept.contains(lower(named))) {
          again.put(place, named);
        }
      });
      stale.putAll(again);
    }
    stale.keySet().forEach(place -> clear(user, place));
    cleared.putAll(stale);
    remember(user, cleared);
    return again;
  }

  /** The places {@code user}'s document keeps as cleared (place to role), those still empty only. */
  private static Map<String, String> cleared(ObjectNode user) {
    Map<String, String> places = of(user);
    Map<String, String> out = new LinkedHashMap<>();
    user.path(CLEARED).properties().forEach(field -> {
      String role = UserFields.text(field.getValue());
      if (role != null && !places.containsKey(field.getKey())) {
        out.put(field.getKey(), role);
      }
    });
    return out;
  }

  private static void remember(ObjectNode user, Map<String, String> cleared) {
    Map<String, String> places = of(user);
    ObjectNode kept = user.objectNode();
    cleared.forEach((place, role) -> {
      if (!places.containsKey(place)) {
        kept.put(place, role);
      }
    });
    user.remove(CLEARED);
    if (!kept.isEmpty()) {
      user.set(CLEARED, kept);
    }
  }

  private static String lower(String role) {
    return role.toLowerCase(Locale.ROOT);
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
