package com.fulcrumscim.resync;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumRole;
import com.fulcrumscim.fulcrum.FulcrumUser;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Fulcrum as read once: the token owner, roles, members (with {@code managed_info}) and groups
 * (with {@code associations}). Four list calls however large the organization, never one per
 * entity; resync plans and prints from it.
 */
public record FulcrumSnapshot(FulcrumUser owner, List<FulcrumRole> roles, List<FulcrumMember> members, List<FulcrumGroup> groups) {
  public FulcrumSnapshot {
    roles = List.copyOf(roles);
    members = List.copyOf(members);
    groups = List.copyOf(groups);
  }

  public static FulcrumSnapshot read(FulcrumClient client) {
    return new FulcrumSnapshot(client.tokenOwner(), client.roles(), client.members(), client.groups());
  }

  public Optional<FulcrumMember> member(String id) {
    return Optional.ofNullable(membersById().get(id));
  }

  public Optional<FulcrumMember> memberByEmail(String email) {
    return email == null ? Optional.empty()
        : members.stream().filter(m -> email.strip().toLowerCase(Locale.ROOT).equals(lower(m.email()))).findFirst();
  }

  public Optional<FulcrumGroup> group(String id) {
    return groups.stream().filter(g -> g.id().equals(id)).findFirst();
  }

  /** The role's name, or the id itself when Fulcrum has no such role. */
  public String roleName(String roleId) {
    return roles.stream().filter(r -> r.id().equals(roleId)).map(FulcrumRole::name).findFirst().orElse(roleId);
  }

  /** The member's email, or the id itself when it is not a member (any more). */
  public String emailOf(String memberId) {
    FulcrumMember m = membersById().get(memberId);
    return m == null ? memberId : m.email();
  }

  private Map<String, FulcrumMember> membersById() {
    return members.stream().collect(Collectors.toMap(FulcrumMember::id, Function.identity(), (a, b) -> a));
  }

  private static String lower(String s) {
    return s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
  }
}
