package com.fulcrumscim.testing;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Compares the desired state in SQLite with what the emulator holds, once the reconciler has
 * settled: every active user is exactly one member with its names, every group exactly one managed
 * group with its active members, and nothing else managed exists (no duplicate, no lost removal).
 * Entities in {@code unmanaged} (ids) and the token owner are left out: other checks pin them.
 */
public final class DesiredVsActual {
  /** A desired user as stored. */
  public record User(String id, String email, String given, String family, boolean active, String role) {}

  /** What SQLite wants. */
  public record Desired(Map<String, User> users, Map<String, String> groupNames, Map<String, Set<String>> groupMembers) {}

  private DesiredVsActual() {}

  public static Desired read(Database db) {
    return db.read(c -> {
      Map<String, User> users = new HashMap<>();
      try (ResultSet rs = c.createStatement().executeQuery(
          "SELECT id, email, given_name, family_name, active, role FROM scim_user")) {
        while (rs.next()) {
          users.put(rs.getString(1), new User(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
              rs.getInt(5) == 1, rs.getString(6)));
        }
      }
      Map<String, String> names = new HashMap<>();
      try (ResultSet rs = c.createStatement().executeQuery("SELECT id, display_name FROM scim_group")) {
        while (rs.next()) {
          names.put(rs.getString(1), rs.getString(2));
        }
      }
      Map<String, Set<String>> members = new HashMap<>();
      names.keySet().forEach(g -> members.put(g, new HashSet<>()));
      try (ResultSet rs = c.createStatement().executeQuery("SELECT group_id, user_id FROM scim_group_member")) {
        while (rs.next()) {
          members.computeIfAbsent(rs.getString(1), g -> new HashSet<>()).add(rs.getString(2));
        }
      }
      return new Desired(users, names, members);
    });
  }

  /**
   * The differences, one line each; empty when Fulcrum is exactly as desired. Users whose email an
   * unmanaged member holds are expected to stay out of Fulcrum (adopt_existing false).
   */
  public static List<String> differences(Database db, FulcrumEmulator fulcrum, Set<String> unmanaged) {
    Desired desired = read(db);
    List<String> problems = new ArrayList<>();
    Set<String> skip = new HashSet<>(unmanaged);
    skip.add(fulcrum.ownerMembershipId());
    Set<String> takenEmails = fulcrum.members().stream().filter(m -> skip.contains(m.id()))
        .map(m -> lower(m.email())).collect(Collectors.toSet());
    List<FulcrumMember> managedMembers = fulcrum.members().stream().filter(m -> !skip.contains(m.id())).toList();
    Map<String, List<FulcrumMember>> byEmail = managedMembers.stream().collect(Collectors.groupingBy(m -> lower(m.email())));

    Set<String> wantedEmails = new HashSet<>();
    for (User u : desired.users().values()) {
      if (!u.active() || u.email() == null || takenEmails.contains(lower(u.email()))) {
        continue;
      }
      wantedEmails.add(lower(u.email()));
      List<FulcrumMember> found = byEmail.getOrDefault(lower(u.email()), List.of());
      if (found.size() != 1) {
        problems.add("user " + u.email() + ": " + found.size() + " Fulcrum members, want 1");
        continue;
      }
      FulcrumMember m = found.get(0);
      if (u.given() != null && !u.given().equals(m.firstName()) || u.family() != null && !u.family().equals(m.lastName())) {
        problems.add("user " + u.email() + ": Fulcrum has " + m.firstName() + " " + m.lastName() + ", want "
            + u.given() + " " + u.family());
      }
      if (u.role() != null && !u.role().equalsIgnoreCase(m.roleName())) {
        problems.add("user " + u.email() + ": Fulcrum role " + m.roleName() + ", want " + u.role());
      }
    }
    byEmail.keySet().stream().filter(e -> !wantedEmails.contains(e))
        .forEach(e -> problems.add("Fulcrum member " + e + " is not an active desired user (a lost removal)"));

    Map<String, String> memberIdByEmail = new HashMap<>();
    managedMembers.forEach(m -> memberIdByEmail.put(lower(m.email()), m.id()));
    // The token owner stays in a managed group when Okta lists a user with its email, and only then.
    fulcrum.member(fulcrum.ownerMembershipId()).ifPresent(o -> memberIdByEmail.put(lower(o.email()), o.id()));
    List<FulcrumGroup> managedGroups = fulcrum.groups().stream().filter(g -> !skip.contains(g.id())).toList();
    Map<String, List<FulcrumGroup>> groupsByName = managedGroups.stream().collect(Collectors.groupingBy(FulcrumGroup::name));
    for (Map.Entry<String, String> g : desired.groupNames().entrySet()) {
      List<FulcrumGroup> found = groupsByName.getOrDefault(g.getValue(), List.of());
      if (found.size() != 1) {
        problems.add("group " + g.getValue() + ": " + found.size() + " managed Fulcrum groups, want 1");
        continue;
      }
      Set<String> want = new TreeSet<>();
      for (String userId : desired.groupMembers().getOrDefault(g.getKey(), Set.of())) {
        User u = desired.users().get(userId);
        if (u != null && u.active() && u.email() != null && memberIdByEmail.containsKey(lower(u.email()))) {
          want.add(memberIdByEmail.get(lower(u.email())));
        }
      }
      Set<String> have = new TreeSet<>(found.get(0).memberIds());
      if (!have.equals(want)) {
        problems.add("group " + g.getValue() + ": Fulcrum members " + have + ", want " + want);
      }
    }
    Set<String> wantedNames = new HashSet<>(desired.groupNames().values());
    groupsByName.keySet().stream().filter(n -> !wantedNames.contains(n))
        .forEach(n -> problems.add("Fulcrum group " + n + " is not a desired group (a lost delete or rename)"));
    return problems;
  }

  /** Rows of the work table not DONE, as "state count" lines: empty when the reconciler has settled. */
  public static Map<String, Integer> unsettled(Database db) {
    return db.read(c -> {
      Map<String, Integer> states = new HashMap<>();
      try (ResultSet rs = c.createStatement().executeQuery(
          "SELECT state, count(*) FROM work WHERE state <> 'DONE' GROUP BY state")) {
        while (rs.next()) {
          states.put(rs.getString(1), rs.getInt(2));
        }
      }
      return states;
    });
  }

  private static String lower(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }
}
