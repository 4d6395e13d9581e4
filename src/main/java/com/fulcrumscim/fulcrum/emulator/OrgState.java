package com.fulcrumscim.fulcrum.emulator;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The emulated organization: roles, members, groups and who is in which group. Thread-safe: every
 * method holds the one lock, and each keeps to map lookups (email and group-of-member indexes) so
 * a call costs the same in an org of 10 or 100,000. A refused change throws {@link ApiError}
 * before touching anything.
 */
final class OrgState {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

  private final Clock clock;
  private final IdGenerator ids;
  private final String organizationId;
  private final String organizationName;
  private final Map<String, Role> roles = new LinkedHashMap<>();
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final Map<String, String> memberIdByEmail = new HashMap<>();
  private final Map<String, GroupRow> groups = new LinkedHashMap<>();
  private final Map<String, Set<String>> groupIdsByMember = new HashMap<>();
  private final Set<String> userIds = new HashSet<>();
  private String ownerMembershipId;

  /** A group's mutable row; {@link Group} is the copy handed out. */
  private static final class GroupRow {
    final String id;
    String name;
    String description;
    final LinkedHashSet<String> memberIds = new LinkedHashSet<>();
    final Instant createdAt;
    Instant updatedAt;

    GroupRow(String id, String name, String description, Instant at) {
      this.id = id;
      this.name = name;
      this.description = description;
      this.createdAt = at;
      this.updatedAt = at;
    }

    Group view() {
      return new Group(id, name, description, new ArrayList<>(memberIds), createdAt, updatedAt);
    }
  }

  OrgState(Clock clock, IdGenerator ids, String organizationName) {
    this.clock = clock;
    this.ids = ids;
    this.organizationName = organizationName;
    this.organizationId = ids.next();
    systemRolesAt(now());
  }

  private void systemRolesAt(Instant at) {
    for (Role r : Role.systemRoles(at)) {
      roles.put(r.id(), r);
    }
  }

  String organizationId() {
    return organizationId;
  }

  String organizationName() {
    return organizationName;
  }

  // ---- roles ----

  /** A custom role; a new default role takes the default from the old one. */
  synchronized Role addRole(String id, String name, boolean isDefault, Set<String> permissions) {
    if (roleNamed(name).isPresent()) {
      throw ApiError.invalid("role", "name", "has already been taken");
    }
    Role role = new Role(freshId(id), name, false, isDefault, permissions, now());
    if (isDefault) {
      roles.replaceAll((rid, r) -> r.isDefault() ? new Role(r.id(), r.name(), r.system(), false, r.permissions(), r.createdAt()) : r);
    }
    roles.put(role.id(), role);
    return role;
  }

  synchronized List<Role> roles() {
    return List.copyOf(roles.values());
  }

  synchronized Page<Role> roles(int page, int perPage) {
    return Page.of(roles.values(), page, perPage);
  }

  synchronized Optional<Role> role(String id) {
    return Optional.ofNullable(roles.get(id));
  }

  synchronized Optional<Role> roleNamed(String name) {
    return roles.values().stream().filter(r -> r.name().equalsIgnoreCase(name)).findFirst();
  }

  private Role defaultRole() {
    return roles.values().stream().filter(Role::isDefault).findFirst().orElseThrow();
  }

  // ---- members ----

  synchronized Page<Member> members(int page, int perPage) {
    return Page.of(members.values(), page, perPage);
  }

  synchronized Member member(String id) {
    Member m = members.get(id);
    if (m == null) {
      throw ApiError.notFound();
    }
    return m;
  }

  synchronized boolean hasMember(String id) {
    return members.containsKey(id);
  }

  synchronized Optional<Member> memberByEmail(String email) {
    return Optional.ofNullable(memberIdByEmail.get(key(email))).map(members::get);
  }

  synchronized List<Member> allMembers() {
    return List.copyOf(members.values());
  }

  synchronized String ownerMembershipId() {
    return ownerMembershipId;
  }

  /** {@code POST /memberships.json}: a new, unmanaged, active member; the default role if none given. */
  synchronized Member createMember(String email, String firstName, String lastName, String roleId) {
    return insertMember(null, null, email, firstName, lastName, roleId, false, "active");
  }

  /** Seeds the token owner: an Owner member. */
  synchronized Member insertOwner(String email, String firstName, String lastName) {
    String ownerRole = roleNamed(Role.OWNER).orElseThrow().id();
    Member owner = insertMember(null, null, email, firstName, lastName, ownerRole, false, "active");
    ownerMembershipId = owner.id();
    return owner;
  }

  /** The token now belongs to this member, who must be an Owner (a replacement token made by another Owner). */
  synchronized void transferOwnership(String membershipId) {
    Member m = member(membershipId);
    if (!m.roleId().equals(roleNamed(Role.OWNER).orElseThrow().id())) {
      throw new IllegalArgumentException("member " + membershipId + " is not an Owner; only an Owner's token works");
    }
    ownerMembershipId = membershipId;
  }

  /** Any member, with given ids (null: generated); used by seeding and by the API's create. */
  synchronized Member insertMember(
      String id, String userId, String email, String firstName, String lastName, String roleId, boolean managed, String status) {
    String checkedEmail = checkEmail(email, null);
    String role = roleId == null ? defaultRole().id() : checkRole(roleId);
    Member m =
        new Member(
            freshId(id), freshUserId(userId), checkedEmail, firstName, lastName, role, managed, status, now(), now());
    members.put(m.id(), m);
    memberIdByEmail.put(key(m.email()), m.id());
    userIds.add(m.userId());
    return m;
  }

  /** {@code PUT /memberships/{id}.json}: null leaves a field as it is. */
  synchronized Member updateMember(String id, String email, String firstName, String lastName, String roleId) {
    Member old = member(id);
    String newEmail = email == null ? old.email() : checkEmail(email, id);
    String newRole = roleId == null ? old.roleId() : checkRole(roleId);
    Member changed =
        new Member(
            old.id(),
            old.userId(),
            newEmail,
            firstName == null ? old.firstName() : firstName,
            lastName == null ? old.lastName() : lastName,
            newRole,
            old.managed(),
            old.status(),
            old.createdAt(),
            old.updatedAt());
    if (changed.equals(old)) {
      return old;
    }
    Member stamped =
        new Member(
            changed.id(), changed.userId(), changed.email(), changed.firstName(), changed.lastName(),
            changed.roleId(), changed.managed(), changed.status(), changed.createdAt(), now());
    memberIdByEmail.remove(key(old.email()));
    memberIdByEmail.put(key(stamped.email()), id);
    members.put(id, stamped);
    return stamped;
  }

  /**
   * {@code DELETE /memberships/{id}.json}: the member leaves the org and every group it was in,
   * unless {@code staysListed}: then its groups still list its id.
   */
  synchronized Member deleteMember(String id, String reassignTo, boolean staysListed) {
    Member m = member(id);
    if (reassignTo != null && (reassignTo.equals(id) || !members.containsKey(reassignTo))) {
      throw ApiError.invalid("membership", "reassign_to_membership_id", "is invalid");
    }
    members.remove(id);
    memberIdByEmail.remove(key(m.email()));
    Set<String> inGroups = staysListed ? null : groupIdsByMember.remove(id);
    if (inGroups != null) {
      Instant at = now();
      for (String gid : inGroups) {
        GroupRow g = groups.get(gid);
        g.memberIds.remove(id);
        g.updatedAt = at;
      }
    }
    return m;
  }

  private String checkEmail(String email, String selfId) {
    if (email == null || email.isBlank()) {
      throw ApiError.invalid("membership", "email", "can't be blank");
    }
    String trimmed = email.trim();
    if (!EMAIL.matcher(trimmed).matches()) {
      throw ApiError.invalid("membership", "email", "is invalid");
    }
    String holder = memberIdByEmail.get(key(trimmed));
    if (holder != null && !holder.equals(selfId)) {
      throw ApiError.invalid("membership", "email", "has already been taken");
    }
    return trimmed;
  }

  private String checkRole(String roleId) {
    if (!roles.containsKey(roleId)) {
      throw ApiError.invalid("membership", "role_id", "is invalid");
    }
    return roleId;
  }

  // ---- groups ----

  synchronized Page<Group> groups(int page, int perPage) {
    Page<GroupRow> rows = Page.of(groups.values(), page, perPage);
    return new Page<>(rows.items().stream().map(GroupRow::view).toList(), page, perPage, rows.totalCount());
  }

  synchronized Group group(String id) {
    return row(id).view();
  }

  synchronized Optional<Group> findGroup(String id) {
    return Optional.ofNullable(groups.get(id)).map(GroupRow::view);
  }

  synchronized List<Group> allGroups() {
    return groups.values().stream().map(GroupRow::view).toList();
  }

  /** {@code POST /groups.json}; with {@code addOwner}, the token owner joins it as the UI's creator would. */
  synchronized Group createGroup(String id, String name, String description, boolean addOwner) {
    GroupRow g = new GroupRow(freshId(id), checkName(name), description, now());
    groups.put(g.id, g);
    if (addOwner && ownerMembershipId != null && members.containsKey(ownerMembershipId)) {
      join(g, ownerMembershipId);
    }
    return g.view();
  }

  synchronized Group updateGroup(String id, String name, String description) {
    GroupRow g = row(id);
    String newName = name == null ? g.name : checkName(name);
    String newDescription = description == null ? g.description : description;
    if (!newName.equals(g.name) || !Objects.equals(newDescription, g.description)) {
      g.name = newName;
      g.description = newDescription;
      g.updatedAt = now();
    }
    return g.view();
  }

  synchronized void deleteGroup(String id) {
    GroupRow g = row(id);
    for (String mid : g.memberIds) {
      groupIdsByMember.get(mid).remove(id);
    }
    groups.remove(id);
  }

  /**
   * {@code change_permissions} with {@code group_members}: every id is checked before anything
   * moves, so one unknown id changes nothing. Adding a present member or removing an absent one is
   * a no-op, as a set operation would be.
   */
  synchronized Group changeGroupMembers(String groupId, Collection<String> add, Collection<String> remove) {
    GroupRow g = row(groupId);
    checkKnown("add", add);
    checkKnown("remove", remove);
    boolean changed = false;
    for (String mid : add) {
      changed |= join(g, mid);
    }
    for (String mid : remove) {
      if (g.memberIds.remove(mid)) {
        groupIdsByMember.get(mid).remove(g.id);
        changed = true;
      }
    }
    if (changed) {
      g.updatedAt = now();
    }
    return g.view();
  }

  private void checkKnown(String field, Collection<String> membershipIds) {
    for (String mid : membershipIds) {
      if (mid == null || !members.containsKey(mid)) {
        throw ApiError.invalid("change", field, "membership " + mid + " does not exist in this organization");
      }
    }
  }

  private boolean join(GroupRow g, String membershipId) {
    if (!g.memberIds.add(membershipId)) {
      return false;
    }
    groupIdsByMember.computeIfAbsent(membershipId, k -> new LinkedHashSet<>()).add(g.id);
    g.updatedAt = now();
    return true;
  }

  private GroupRow row(String id) {
    GroupRow g = groups.get(id);
    if (g == null) {
      throw ApiError.notFound();
    }
    return g;
  }

  private static String checkName(String name) {
    if (name == null || name.isBlank()) {
      throw ApiError.invalid("group", "name", "can't be blank");
    }
    return name;
  }

  // ---- ids and time ----

  private String freshId(String wanted) {
    if (wanted != null) {
      if (isTaken(wanted)) {
        throw ApiError.invalid("id", "id", "'" + wanted + "' is used twice");
      }
      return wanted;
    }
    String id;
    do {
      id = ids.next();
    } while (isTaken(id));
    return id;
  }

  private String freshUserId(String wanted) {
    if (wanted != null) {
      return wanted;
    }
    String id;
    do {
      id = ids.next();
    } while (userIds.contains(id));
    return id;
  }

  private boolean isTaken(String id) {
    return members.containsKey(id) || groups.containsKey(id) || roles.containsKey(id) || id.equals(organizationId);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }

  private static String key(String email) {
    return email.trim().toLowerCase(Locale.ROOT);
  }
}
