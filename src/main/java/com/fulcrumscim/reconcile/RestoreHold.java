package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.RestoreMarker;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * After a restore from a backup, a linked member gone from Fulcrum is either one removed by hand
 * (invite again, as always) or a person deprovisioned after the backup, whose deactivation the
 * backup does not hold and Okta never sends again (invite again: the worst thing the bridge can
 * do). The two look alike, so while the {@link RestoreMarker} stands such a recreation is held
 * until the identity provider writes about the user again or an operator releases it; so is the
 * create of a user the backup had not pushed yet. Only creates are held: removals and adopting a
 * member that exists invite no one.
 */
public final class RestoreHold {
  private final RestoreMarker marker;

  public RestoreHold(Database db) {
    this.marker = new RestoreMarker(db);
  }

  /**
   * {@code plan}, or a blocked plan saying why, when it would invite a person the restored data
   * alone wants: a stale link's, or one not pushed yet when the backup was taken (pending then, and
   * perhaps deprovisioned, member and all, after it).
   */
  Plan check(UserState s, Plan plan, Supplier<Optional<RestoreMarker.Mark>> marked) {
    boolean stale = s.link() != null && s.linked() == null;
    if ((s.link() != null && !stale) || plan.actions().stream().noneMatch(a -> a.kind() == Action.Kind.CREATE_MEMBER)) {
      return plan;
    }
    Optional<RestoreMarker.Mark> mark = marked.get();
    if (mark.isEmpty() || marker.cleared(s.scimId(), mark.get())) {
      return plan;
    }
    DesiredUser d = s.desired();
    return Plan.blocked(RestoreMarker.HELD + "user " + d.userName() + " (" + d.email() + ") is active"
        + (stale ? " and linked, but its Fulcrum member " + s.link().fulcrumId() + " is gone" : " but has no Fulcrum member")
        + ", and this database was restored from a backup at " + mark.get().at()
        + ": the person may have been deprovisioned after the backup, so the bridge does not invite them."
        + " If Okta no longer assigns them, send the deactivation (README, \"Backup and restore\"); if it does, have Okta"
        + " push the user again (re-apply the assignment), or release it: `fulcrum-scim restore release user/" + s.scimId() + "`");
  }
}
