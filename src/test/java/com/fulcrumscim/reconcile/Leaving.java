package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.Okta;

/**
 * How Okta takes a person's access away: a deactivation keeps the user's row (whose email finds a
 * member invited again by hand), a SCIM DELETE leaves the user's tombstone in its place.
 */
enum Leaving {
  DEACTIVATED("the user was deactivated in Okta"),
  DELETED("the user was deleted in Okta");

  /** How a row's reason says it. */
  final String why;

  Leaving(String why) {
    this.why = why;
  }

  void leave(Okta okta, String userId) {
    if (this == DELETED) {
      okta.deleteUser(userId);
    } else {
      okta.set(userId, "active", 0);
    }
  }
}
