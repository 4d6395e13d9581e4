package com.fulcrumscim.reliability;

import com.fulcrumscim.testing.Okta;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random Okta changes: user creates, profile and role updates, deactivations and
 * reactivations, deletes, groups created, renamed, re-membered and deleted. With {@code collide},
 * a third of new emails and group names are those of the unmanaged seed's members and groups (and
 * the token owner), in varying case. Keeps SCIM's own rules: no two live users share an email.
 */
final class ChangeGenerator {
  static final Set<String> UNMANAGED = Set.of("m-taken", "m-bystander", "g-crew");
  static final String[] COLLIDING_EMAILS = {"Taken@corp.example", "taken@CORP.example", "bystander@corp.example",
      "owner@fulcrum.example", "OWNER@fulcrum.example"};
  static final String[] COLLIDING_GROUPS = {"Field Crew", "field crew", "FIELD CREW"};
  static final String[] ROLES = {null, "Manager", "standard user", "Record Creator"};

  private final Random random;
  private final boolean collide;
  private final String domain;
  private final Map<String, String> liveUsers = new LinkedHashMap<>(); // SCIM id -> email
  private final Map<String, String> liveGroups = new LinkedHashMap<>(); // SCIM id -> name
  private int serial;

  ChangeGenerator(Random random, boolean collide, String domain) {
    this.random = random;
    this.collide = collide;
    this.domain = domain;
  }

  /** Makes one change through {@code okta}. */
  void step(Okta okta) {
    int i = serial++;
    List<String> users = new ArrayList<>(liveUsers.keySet());
    List<String> groups = new ArrayList<>(liveGroups.keySet());
    int roll = random.nextInt(100);
    if (roll < 30 || users.isEmpty()) {
      String email = collide && random.nextInt(3) == 0 ? COLLIDING_EMAILS[random.nextInt(COLLIDING_EMAILS.length)]
          : "u" + i + "@" + domain;
      if (liveUsers.values().stream().noneMatch(e -> e.equalsIgnoreCase(email))) {
        liveUsers.put(okta.user(email, "Given" + i, "Family" + i, ROLES[random.nextInt(ROLES.length)]), email);
      }
    } else if (roll < 45) {
      okta.set(pick(users), random.nextBoolean() ? "given_name" : "family_name", "Renamed" + i);
    } else if (roll < 55) {
      okta.set(pick(users), "role", ROLES[1 + random.nextInt(ROLES.length - 1)]);
    } else if (roll < 65) {
      okta.set(pick(users), "active", random.nextInt(3) == 0 ? 1 : 0);
    } else if (roll < 72) {
      String id = pick(users);
      okta.deleteUser(id);
      liveUsers.remove(id);
    } else if (roll < 82 || groups.isEmpty()) {
      String name = freeGroupName(i);
      if (name != null) {
        liveGroups.put(okta.group(name, subset(users)), name);
      }
    } else if (roll < 94) {
      String id = pick(groups);
      String renamed = random.nextInt(4) == 0 ? freeGroupName(i) : null;
      String name = renamed == null ? liveGroups.get(id) : renamed;
      okta.setGroup(id, name, subset(users));
      liveGroups.put(id, name);
    } else {
      String id = pick(groups);
      okta.deleteGroup(id);
      liveGroups.remove(id);
    }
  }

  private String freeGroupName(int i) {
    String name = collide && random.nextInt(3) == 0 ? COLLIDING_GROUPS[random.nextInt(COLLIDING_GROUPS.length)] : "Team " + i;
    Set<String> taken = new HashSet<>();
    liveGroups.values().forEach(n -> taken.add(n.toLowerCase(Locale.ROOT)));
    return taken.contains(name.toLowerCase(Locale.ROOT)) ? null : name;
  }

  private String pick(List<String> ids) {
    return ids.get(random.nextInt(ids.size()));
  }

  /** About a third of the live users; at most 30, as Okta pushes a group's members in pages. */
  private List<String> subset(List<String> ids) {
    List<String> out = new ArrayList<>();
    for (String id : ids) {
      if (random.nextInt(3) == 0 && out.size() < 30) {
        out.add(id);
      }
    }
    return out;
  }
}
