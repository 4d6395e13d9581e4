package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumRole;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Okta role names to Fulcrum role ids: {@code roles.map} first (case-insensitive), then Fulcrum's
 * role names (case-insensitive). A user without a role gets {@code roles.default}, or Fulcrum's
 * default role when that is empty.
 */
public record RoleTable(List<FulcrumRole> roles, Map<String, String> map, String defaultRole) {
  public RoleTable {
    roles = List.copyOf(roles);
    map = map.entrySet().stream().collect(Collectors.toUnmodifiableMap(
        e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue));
    defaultRole = defaultRole == null ? "" : defaultRole;
  }

  /** The role id for {@code oktaRole} (null or blank: the default); empty when no such role exists. */
  public Optional<String> idOf(String oktaRole) {
    String name = oktaRole == null || oktaRole.isBlank() ? defaultRole : oktaRole.strip();
    if (name.isBlank()) {
      return roles.stream().filter(FulcrumRole::isDefault).map(FulcrumRole::id).findFirst();
    }
    String fulcrumName = map.getOrDefault(name.toLowerCase(Locale.ROOT), name);
    return roles.stream().filter(r -> r.name().equalsIgnoreCase(fulcrumName)).map(FulcrumRole::id).findFirst();
  }

  /** Why {@code oktaRole} cannot be resolved, listing what can. */
  public String unknown(String oktaRole) {
    String name = oktaRole == null || oktaRole.isBlank() ? "roles.default '" + defaultRole + "'" : "role '" + oktaRole + "'";
    return name + " is not a Fulcrum role" + (map.isEmpty() ? "" : " (after roles.map)") + "; valid roles: "
        + roles.stream().map(FulcrumRole::name).sorted().collect(Collectors.joining(", "));
  }
}
