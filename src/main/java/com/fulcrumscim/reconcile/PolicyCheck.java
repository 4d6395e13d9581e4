package com.fulcrumscim.reconcile;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumRole;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.journal.EntityType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Identity policy checked against Fulcrum and the database before the bridge runs: what `check`
 * reports and `serve` logs. Config errors name {@code source} and the key.
 */
public final class PolicyCheck {
  private PolicyCheck() {}

  /**
   * The member that receives removed members' records; empty when records stay unassigned. A
   * configured id Fulcrum does not know is a config error here (`check` fails on it; `serve` logs
   * it and leaves records unassigned, as the reconciler does for a target that left). One GET.
   */
  public static Optional<FulcrumMember> reassignTarget(String source, BridgeConfig.Users users, FulcrumClient client) {
    String id = users.reassignTarget();
    if (id == null) {
      return Optional.empty();
    }
    return Optional.of(client.member(id).orElseThrow(() -> new ConfigException(source,
        "users.reassign_records_to", "Fulcrum has no membership with id '" + id
            + "' (use the id of an existing member, e.g. the token owner's, or \"\" to leave records unassigned)")));
  }

  /**
   * Every roles.map value and roles.default must name one of {@code fulcrumRoles}, as the
   * reconciler looks them up ({@link RoleTable#named}): otherwise each user they apply to would end
   * DEAD, one at a time, once Okta pushes them. The first that does not is a config error naming its key.
   */
  public static void rolesExist(String source, BridgeConfig.Roles roles, List<FulcrumRole> fulcrumRoles) {
    for (Map.Entry<String, String> e : roles.map().entrySet()) {
      roleExists(source, "roles.map." + e.getKey(), e.getValue(), fulcrumRoles);
    }
    if (!roles.defaultRole().isBlank()) {
      roleExists(source, "roles.default", roles.defaultRole(), fulcrumRoles);
    }
  }

  private static void roleExists(String source, String key, String name, List<FulcrumRole> fulcrumRoles) {
    if (RoleTable.named(fulcrumRoles, name).isEmpty()) {
      throw new ConfigException(source, key, "'" + name + "' is not a Fulcrum role (roles: "
          + fulcrumRoles.stream().map(FulcrumRole::name).collect(Collectors.joining(", ")) + ")");
    }
  }

  /**
   * The SCIM user under which the bridge manages the token owner's own membership, if it does (a
   * replacement token made by an admin the bridge provisioned). Changes to that user are skipped.
   */
  public static Optional<String> managedOwner(Database db, FulcrumUser owner) {
    return owner.email() == null ? Optional.empty() : new LinkStore(db).managedUserWithEmail(owner.email());
  }

  /**
   * How many Fulcrum groups the bridge manages (a link each) while groups.push is false, 0 while it
   * is true: the planner leaves every group key alone then, and resync skips groups, so those
   * groups keep their last members for good, silently.
   */
  public static long frozenGroups(Database db, boolean groupsPush) {
    return groupsPush ? 0 : new LinkStore(db).fulcrumIds(EntityType.GROUP).size();
  }

  /** The one line `serve` logs, `check` prints and `status` shows for {@link #frozenGroups}; none for 0. */
  public static Optional<String> frozenGroupsWarning(long groups) {
    return groups == 0 ? Optional.empty() : Optional.of("groups.push is false, yet the bridge manages " + groups + " Fulcrum group" + (groups == 1 ? "" : "s")
        + " it pushed earlier: they no longer follow Okta, so people Okta takes out of them keep the access they give,"
        + " and Okta's group deletes delete nothing. Set groups.push: true and run `fulcrum-scim resync` to bring them"
        + " up to date; to stop pushing groups, have Okta delete them (unlink the pushed groups with \"delete\") first,"
        + " while groups.push is still true");
  }

  /** The warning `check` prints and `serve` logs for {@link #managedOwner}. */
  public static String managedOwnerWarning(FulcrumUser owner, String scimId) {
    return "the API token's owner " + owner.email() + " is a member the bridge manages (SCIM user " + scimId
        + "); the bridge never changes or removes it, so Okta's changes to that user are skipped";
  }
}
