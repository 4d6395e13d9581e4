package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.Tombstones;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Who is made due once a user no longer holds a member with an email: the active users with that
 * email and no link. Such a user planned on that hold: it waits for a leaving user's row
 * ({@link Plan#waitingFor}), looking again only every {@link Reconciler#OPERATOR_WAIT} while that
 * row waits for an operator, or it is DEAD on a link ("already managed for SCIM user ..."); nothing
 * else would run it again soon. The one place that says who is woken, whether the bridge removed
 * the member or let go of its link ({@link Applier}), or a leaving user's row ended without that:
 * the member removed by hand and the row retried, or the row set aside by the operator.
 */
public final class FreedEmail {
  private final DesiredState desired;
  private final LinkStore links;
  private final WorkQueue queue;
  private final Tombstones tombstones = new Tombstones();

  /** {@code queue}: the caller's, whose clock says when the users it wakes are due. */
  public FreedEmail(Database db, WorkQueue queue) {
    this.desired = new DesiredState(db);
    this.links = new LinkStore(db);
    this.queue = queue;
  }

  /**
   * {@code key} no longer holds a member with {@code email}: each active user with that email and no
   * link is due now, a DEAD row with a fresh budget. One that finds nothing changed plans as before.
   * The email compares as the member list compares it, every letter's case folded: a user whose
   * email only differs in a non-ASCII letter's case (zoë@ for ZOË@) planned on this member too.
   */
  void freed(Connection c, ResourceKey key, String email) throws SQLException {
    if (email == null) {
      return;
    }
    for (DesiredUser u : desired.activeUsersWithEmail(c, email)) {
      ResourceKey other = ResourceKey.user(u.id());
      if (!other.equals(key) && links.get(c, EntityType.USER, u.id()).isEmpty()) {
        queue.revive(c, other, WorkState.DEAD);
        queue.nudge(c, other);
      }
    }
  }

  /**
   * {@code key}'s row ended (done, skipped, or set aside by an operator), in the transaction that
   * ends it: if Okta deactivated or deleted that user, it holds nothing with the emails its member is
   * looked up by any more ({@link #freed}). Reads only the database: an active user or a group costs
   * one read.
   */
  public void rowEnded(Connection c, ResourceKey key) throws SQLException {
    if (key.type() == EntityType.USER) {
      for (String email : leaversEmails(c, key.scimId())) {
        freed(c, key, email);
      }
    }
  }

  /**
   * The emails user {@code id}'s member is looked up by if Okta deactivated or deleted it: the address
   * it left with, and its current one (its tombstone's last) ({@link UserState#lookedUpBy}); else none.
   */
  private List<String> leaversEmails(Connection c, String id) throws SQLException {
    Optional<DesiredUser> user = desired.user(c, id);
    if (user.isPresent()) {
      return user.get().active() ? List.of() : UserState.lookedUpBy(user.get(), null, null);
    }
    return tombstones.find(c, id).map(g -> UserState.lookedUpBy(null, g, null)).orElse(List.of());
  }
}
