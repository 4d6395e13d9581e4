package com.fulcrumscim.reconcile;

import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.MemberAddresses;
import com.fulcrumscim.journal.Tombstones;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The emails a user Okta deactivated or deleted has its member looked up by ({@link
 * UserState#lookedUpBy}), read from the database alone: asked of another user than the one planned
 * (who is woken once a leaver lets go, whose plan names a member another user's email finds).
 */
final class LeaverLookup {
  private final DesiredState desired;
  private final Tombstones tombstones = new Tombstones();
  private final MemberAddresses addresses = new MemberAddresses();

  LeaverLookup(DesiredState desired) {
    this.desired = desired;
  }

  /** User {@code id}'s, inside the caller's read; none for an active user, or one of which nothing is kept. */
  List<String> emails(Connection c, String id) throws SQLException {
    Optional<DesiredUser> user = desired.user(c, id);
    if (user.isPresent() && user.get().active()) {
      return List.of();
    }
    MemberAddresses.Held held = addresses.find(c, id).orElse(null);
    if (user.isPresent()) {
      return UserState.lookedUpBy(user.get(), null, null, held);
    }
    return tombstones.find(c, id).map(g -> UserState.lookedUpBy(null, g, null, held)).orElse(List.of());
  }
}
