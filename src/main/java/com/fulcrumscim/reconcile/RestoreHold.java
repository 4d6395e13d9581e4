package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.RestoreMarker;
import java.util.Optional;

/**
 * After a restore from a backup, a linked member gone from Fulcrum is either one removed by hand
 * (invite again, as always) or a person deprovisioned after the backup, whose deactivation the
 * backup does not hold and Okta never sends again (invite again: the worst thing the bridge can
 * do). The two look alike, so while the {@link RestoreMarker} stands such a recreation is held
 * until the identity provider writes about the user again or an operator releases it. Only the
 * create is held: updates, removals and adopting a member that exists give no one new access.
 */
public final class RestoreHold {
  private final RestoreMarker marker;

  public RestoreHold(Database db) {
    this.marker = new RestoreMarker(db);
  }

  /** {@code plan}, or a blocked plan saying why, when it would invite a stale link's person again. */
  Plan check(UserState s, Plan plan) {
    if (s.link() == null || s.linked() != null || plan.actions().stream().noneMatch(a -> a.kind() == Action.Kind.CREATE_MEMBER)) {
      return plan;
    }
    Optional<RestoreMarker.Mark> mark = marker.current();
    if (mark.isEmpty() || marker.cleared(s.scimId(), mark.get())) {
      return plan;
    }
    DesiredUser d = s.desired();
    return Plan.blocked(RestoreMarker.HELD + "user " + d.userName() + " (" + d.email() + ") is active and linked, but its Fulcrum member "
        + s.link().fulcrumId() + " is gone, and this database was restored from a backup at " + mark.get().at()
        + ": the person may have been deprovisioned after the backup, so the bridge does not invite them again."
        + " If Okta no longer assigns them, send the deactivation (README, \"Backup and restore\"); if it does, have Okta"
        + " push the user again (re-apply the assignment), or release it: `fulcrum-scim restore release user/" + s.scimId() + "`");
  }
}
