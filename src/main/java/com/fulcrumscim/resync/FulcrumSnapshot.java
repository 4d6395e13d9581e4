package com.fulcrumscim.resync;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumRole;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.fulcrum.MemberList;
import com.fulcrumscim.journal.MatchKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Fulcrum as read once: the token owner, roles, members (with {@code managed_info}) and groups
 * (with {@code associations}). Four list reads however large the organization (the member list
 * twice when it takes several pages or a group lists an id it did not show; {@link Basis#snapshot} the
 * member and group lists only), never one per entity; resync plans and prints from it. Lookups go through maps built once: resync asks once
 * per managed key, and a scan per question made 100k members a 10^10-step job.
 */
public final class FulcrumSnapshot {
  private final FulcrumUser owner;
  private final List<FulcrumRole> roles;
  private final List<FulcrumMember> members;
  private final List<FulcrumGroup> groups;
  private final Map<String, FulcrumMember> membersById = new HashMap<>();
  private final Map<String, FulcrumMember> membersByEmail = new HashMap<>();
  private final Map<String, FulcrumGroup> groupsById = new HashMap<>();
  private final Map<String, String> roleNames = new HashMap<>();

  public FulcrumSnapshot(FulcrumUser owner, List<FulcrumRole> roles, List<FulcrumMember> members,
      List<FulcrumGroup> groups) {
    this.owner = owner;
    this.roles = List.copyOf(roles);
    this.members = List.copyOf(members);
    this.groups = List.copyOf(groups);
    // putIfAbsent: the first in Fulcrum's order wins, as the scans this replaces found it first
    this.members.forEach(m -> {
      membersById.putIfAbsent(m.id(), m);
      membersByEmail.putIfAbsent(lower(m.email()), m);
    });
    this.groups.forEach(g -> groupsById.putIfAbsent(g.id(), g));
    this.roles.forEach(r -> roleNames.putIfAbsent(r.id(), r.name()));
  }

  /**
   * Fulcrum as read now. A member list read over several pages is read twice and the two taken
   * together ({@link MemberList#whole}): a member one read missed (a page shifted under it) is in
   * the other, and resync, which plans every user Okta took away that no link points to, would
   * otherwise miss the person who keeps access because a member invited by hand has their email.
   * The second read comes after the group list's, and is also made when a group lists an id the
   * first did not show: a person invited and put in a group by hand between the member list's read
   * and the groups' would otherwise pass for a deleted member's leftover id, and keep the group
   * (an id is gone only when a read after the group's misses it too, as the reconciler's rule is).
   * So one more list read per run, only for organizations over one page or whose groups list ids the
   * first read did not show (a Fulcrum that keeps deleted members' ids in its groups).
   */
  public static FulcrumSnapshot read(FulcrumClient client) {
    return Basis.read(client).snapshot(client);
  }

  /**
   * What the reads of one run share: the token owner and the roles. An apply reads Fulcrum again
   * after its fixes with its first read's, holding no snapshot meanwhile. The second check is about
   * the members and groups, which the fixes changed; the token is the same one, and the bridge never
   * changes a role (its fixes give members roles, which the member list shows), so reading them
   * again cost two calls and proved nothing.
   */
  public record Basis(FulcrumUser owner, List<FulcrumRole> roles) {
    public Basis {
      roles = List.copyOf(roles);
    }

    /** The token owner and the roles as Fulcrum has them now. */
    public static Basis read(FulcrumClient client) {
      FulcrumUser owner = client.tokenOwner();
      return new Basis(owner, client.roles());
    }

    /** Fulcrum's members and groups as read now, on this basis. */
    public FulcrumSnapshot snapshot(FulcrumClient client) {
      return FulcrumSnapshot.read(client, owner, roles);
    }
  }

  private static FulcrumSnapshot read(FulcrumClient client, FulcrumUser owner, List<FulcrumRole> roles) {
    MemberList first = client.memberList();
    List<FulcrumGroup> groups = client.groups();
    List<FulcrumMember> members = first.members();
    Set<String> seen = new HashSet<>();
    members.forEach(m -> seen.add(m.id()));
    if (!first.whole() || groups.stream().anyMatch(g -> !seen.containsAll(g.memberIds()))) {
      members = new ArrayList<>(members);
      for (FulcrumMember m : client.membersOtherThan(seen)) {
        if (seen.add(m.id())) {
          members.add(m);
        }
      }
    }
    return new FulcrumSnapshot(owner, roles, members, groups);
  }

  public FulcrumUser owner() {
    return owner;
  }

  public List<FulcrumRole> roles() {
    return roles;
  }

  public List<FulcrumMember> members() {
    return members;
  }

  public List<FulcrumGroup> groups() {
    return groups;
  }

  public Optional<FulcrumMember> member(String id) {
    return Optional.ofNullable(membersById.get(id));
  }

  public Optional<FulcrumMember> memberByEmail(String email) {
    return email == null ? Optional.empty() : Optional.ofNullable(membersByEmail.get(lower(email)));
  }

  public Optional<FulcrumGroup> group(String id) {
    return Optional.ofNullable(groupsById.get(id));
  }

  /** The role's name, or the id itself when Fulcrum has no such role. */
  public String roleName(String roleId) {
    return roleNames.getOrDefault(roleId, roleId);
  }

  /** The member's email, or the id itself when it is not a member (any more). */
  public String emailOf(String memberId) {
    FulcrumMember m = membersById.get(memberId);
    return m == null ? memberId : m.email();
  }

  private static String lower(String s) {
    return MatchKey.of(s);
  }
}
