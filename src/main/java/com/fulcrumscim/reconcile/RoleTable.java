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
 * default role when that is empty. Owner is granted only with {@code roles.allow_owner}: whoever
 * controls the IdP must not become an Owner of the organization by editing a profile.
 *
 * <p>Owner is any role {@link FulcrumRole#isOwner named Owner}, in any case, system role or not.
 * Every way to a role so named is refused, a {@code roles.map} entry to it included: the only ways
 * out for a custom role of that name are renaming it in Fulcrum or {@code roles.allow_owner: true},
 * which allows the real Owner too. With two roles of that name, the first Fulcrum lists is the one.
 */
public record RoleTable(List<FulcrumRole> roles, Map<String, String> map, String defaultRole, boolean allowOwner) {
  public RoleTable {
    roles = List.copyOf(roles);
    map = map.entrySet().stream().collect(Collectors.toUnmodifiableMap(
        e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue));
    defaultRole = defaultRole == null ? "" : defaultRole;
  }

  /** What a role name resolves to. */
  public sealed interface Choice {}

  /** The role may be given. */
  public record Granted(String roleId) implements Choice {}

  /** The role cannot be given; {@code roleId} is the role it named, if it exists (Owner), else null. */
  public record Refused(String reason, String roleId) implements Choice {}

  /** The role for {@code oktaRole}; null or blank means the default role. */
  public Choice resolve(String oktaRole) {
    boolean byDefault = oktaRole == null || oktaRole.isBlank();
    String name = byDefault ? defaultRole : oktaRole.strip();
    String asked = byDefault ? (defaultRole.isBlank() ? "Fulcrum's default role" : "roles.default '" + defaultRole + "'")
        : "role '" + oktaRole + "'";
    Optional<FulcrumRole> role;
    if (name.isBlank()) {
      role = roles.stream().filter(FulcrumRole::isDefault).findFirst();
    } else {
      String fulcrumName = map.getOrDefault(name.toLowerCase(Locale.ROOT), name);
      if (!fulcrumName.equalsIgnoreCase(name)) {
        asked += " (roles.map: '" + fulcrumName + "')";
      }
      role = named(roles, fulcrumName);
    }
    if (role.isEmpty()) {
      return new Refused(asked + " is not a Fulcrum role; valid roles: " + grantable(), null);
    }
    if (FulcrumRole.isOwner(role.get()) && !allowOwner) {
      return new Refused(asked + " is Owner, which the bridge does not grant (roles.allow_owner: false); "
          + "valid roles: " + grantable(), role.get().id());
    }
    return new Granted(role.get().id());
  }

  /**
   * The Fulcrum role a configured or Okta-sent name stands for: names match ignoring case, and of
   * two roles of one name the first Fulcrum lists is the one. The one comparison, for the reconciler
   * and for {@code check} and {@code serve}'s start alike.
   */
  public static Optional<FulcrumRole> named(List<FulcrumRole> roles, String name) {
    return roles.stream().filter(r -> r.name().equalsIgnoreCase(name)).findFirst();
  }

  private String grantable() {
    return roles.stream().filter(r -> allowOwner || !FulcrumRole.isOwner(r)).map(FulcrumRole::name).sorted()
        .collect(Collectors.joining(", "));
  }
}
