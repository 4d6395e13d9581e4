package com.fulcrumscim.fulcrum;

import com.fulcrumscim.config.BridgeConfig;

public record FulcrumRole(String id, String name, boolean system, boolean isDefault) {
  /**
   * Fulcrum has no owner flag: the Owner role is the system role of that name (shared/fulcrum-api.md).
   * Any role so named counts, in any case and whatever it says of itself (is_system false or left
   * out): granting a role named Owner by mistake would hand over the organization. The one rule of
   * what "Owner" is, for the bridge's role table, the write test and the wire mapping alike.
   */
  public static boolean isOwner(FulcrumRole role) {
    return namedOwner(role.name());
  }

  /** Whether a role of this name is the Owner role; see {@link #isOwner(FulcrumRole)}. */
  public static boolean namedOwner(String roleName) {
    return BridgeConfig.Roles.namesOwner(roleName);
  }
}
