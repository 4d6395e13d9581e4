package com.fulcrumscim.reconcile;

import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.Tombstones;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The one rule for "the person Okta took away as a leaving user, pushed again under another id":
 * an active user other than the leaver with the address, created with it, never given another
 * since, and created and active within {@link Observer#SAME_PERSON_WINDOW} of the leave (its
 * deactivation, or its delete while active), before or after. Whatever the member with the address
 * is to the leaver (linked, or held without a link: invited again by hand, never linked, a create in
 * doubt, a link a restore lost), only such a user is handed it, or has it left in place for it, by
 * the reconciler and by resync alike; anyone else given the address is a different person, and the
 * leaver's member is removed, or reported as keeping access.
 */
public final class SamePerson {
  private final DesiredState desired;
  private final Tombstones tombstones = new Tombstones();

  public SamePerson(DesiredState desired) {
    this.desired = desired;
  }

  /**
   * The users {@code leaver} may have been pushed again as, with {@code email}, inside the caller's
   * read; none when its leave is not known, or it is active again.
   */
  public List<DesiredUser> pushedAgain(Connection c, String email, String leaver) throws SQLException {
    Optional<Instant> deactivated = desired.inactiveSince(c, leaver);
    Optional<Instant> left = deactivated.isPresent() ? deactivated : tombstones.leftAt(c, leaver);
    if (left.isEmpty() || email == null) {
      return List.of();
    }
    return desired.activeUsersPushedWithEmailBetween(c, email, left.get().minus(Observer.SAME_PERSON_WINDOW),
        left.get().plus(Observer.SAME_PERSON_WINDOW)).stream().filter(u -> !u.id().equals(leaver)).toList();
  }
}
