package com.fulcrumscim.fulcrum.emulator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;

/** Members, groups, roles and the token's user in Fulcrum's wire shapes (shared/fulcrum-api.md). */
final class JsonViews {
  private static final String GRAVATAR = "https://s.gravatar.com/avatar/d41d8cd98f00b204e9800998ecf8427e";

  private final OrgState org;
  private final Predicate<String> memberIdsLeftOut;
  private final BooleanSupplier descriptionsLeftOut;
  private final BooleanSupplier userIdsLeftOut;

  JsonViews(OrgState org, Predicate<String> memberIdsLeftOut, BooleanSupplier descriptionsLeftOut, BooleanSupplier userIdsLeftOut) {
    this.org = org;
    this.memberIdsLeftOut = memberIdsLeftOut;
    this.descriptionsLeftOut = descriptionsLeftOut;
    this.userIdsLeftOut = userIdsLeftOut;
  }

  /** Section 3.9: the documented fields, then name/status/role_name, then {@code managed} if asked. */
  Map<String, Object> member(Member m, boolean managedInfo) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("id", m.id());
    j.put("created_at", m.createdAt().toString());
    j.put("updated_at", m.updatedAt().toString());
    j.put("gravatar_email", null);
    j.put("gravatar_image_url", GRAVATAR + "?s=80");
    if (!userIdsLeftOut.getAsBoolean()) {
      j.put("user_id", m.userId());
    }
    j.put("user", m.fullName());
    j.put("first_name", m.firstName());
    j.put("last_name", m.lastName());
    j.put("email", m.email());
    j.put("role_id", m.roleId());
    j.put("image_small", GRAVATAR + "?s=300");
    j.put("image_large", GRAVATAR + "?s=600");
    j.put("name", m.fullName());
    j.put("status", m.status());
    j.put("role_name", org.role(m.roleId()).map(Role::name).orElse(null));
    if (managedInfo) {
      j.put("managed", m.managed());
    }
    return j;
  }

  /** Section 5.2: id, name, description; {@code associations=true} adds the id lists. */
  Map<String, Object> group(Group g, boolean associations) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("id", g.id());
    j.put("name", g.name());
    if (!descriptionsLeftOut.getAsBoolean()) {
      j.put("description", g.description());
    }
    j.put("created_at", g.createdAt().toString());
    j.put("updated_at", g.updatedAt().toString());
    if (associations) {
      if (!memberIdsLeftOut.test(g.id())) {
        j.put("member_ids", g.memberIds());
      }
      j.put("layer_ids", List.of());
      j.put("project_ids", List.of());
      j.put("form_ids", List.of());
    }
    return j;
  }

  Map<String, Object> role(Role r) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("id", r.id());
    j.put("name", r.name());
    j.put("is_system", r.system());
    j.put("is_default", r.isDefault());
    for (String flag : Role.FLAGS) {
      j.put(flag, r.permissions().contains(flag));
    }
    j.put("created_at", r.createdAt().toString());
    j.put("updated_at", r.createdAt().toString());
    return j;
  }

  /** Section 1: {@code GET /users.json}, the token owner's user account. */
  Map<String, Object> user(Member owner) {
    Map<String, Object> org = Map.of("id", this.org.organizationId(), "name", this.org.organizationName());
    Map<String, Object> context = new LinkedHashMap<>(org);
    context.put("type", "organization");
    context.put("role", this.org.role(owner.roleId()).map(this::role).orElse(Map.of()));
    context.put("plan", Map.of("name", "Enterprise"));
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("id", owner.userId());
    j.put("first_name", owner.firstName());
    j.put("last_name", owner.lastName());
    j.put("email", owner.email());
    j.put("current_organization", org);
    j.put("contexts", List.of(context));
    return Map.of("user", j);
  }

  /** Section 2: the plural key plus current_page, total_pages, total_count, per_page. */
  static <T> Map<String, Object> envelope(String key, Page<T> page, Function<T, Object> view) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put(key, page.items().stream().map(view).toList());
    j.put("current_page", page.page());
    j.put("total_pages", page.totalPages());
    j.put("total_count", page.totalCount());
    j.put("per_page", page.perPage());
    return j;
  }

  /**
   * The canonical snapshot: members and groups sorted by id, fixed key order, group member ids
   * sorted, ids asked for but absent listed under "missing". Equal state gives equal bytes.
   */
  static String snapshot(Collection<Member> members, Collection<Group> groups, Collection<String> missing) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("members", members.stream().sorted(Comparator.comparing(Member::id)).map(JsonViews::snapshotOf).toList());
    j.put("groups", groups.stream().sorted(Comparator.comparing(Group::id)).map(JsonViews::snapshotOf).toList());
    j.put("missing", missing.stream().sorted().toList());
    return Json.pretty(j);
  }

  private static Map<String, Object> snapshotOf(Member m) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("id", m.id());
    j.put("user_id", m.userId());
    j.put("email", m.email());
    j.put("first_name", m.firstName());
    j.put("last_name", m.lastName());
    j.put("role_id", m.roleId());
    j.put("managed", m.managed());
    j.put("status", m.status());
    j.put("created_at", m.createdAt().toString());
    j.put("updated_at", m.updatedAt().toString());
    return j;
  }

  private static Map<String, Object> snapshotOf(Group g) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("id", g.id());
    j.put("name", g.name());
    j.put("description", g.description());
    List<String> ids = new ArrayList<>(g.memberIds());
    ids.sort(null);
    j.put("member_ids", ids);
    j.put("created_at", g.createdAt().toString());
    j.put("updated_at", g.updatedAt().toString());
    return j;
  }
}
