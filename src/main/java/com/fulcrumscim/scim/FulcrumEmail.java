package com.fulcrumscim.scim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.journal.UserFields;

/**
 * The email a user gets in Fulcrum ({@link UserFields}: the primary email, else the first, else the
 * userName) must be one: Fulcrum refuses an impossible one (422 "email is invalid") only when the
 * reconciler pushes it, long after the identity provider was answered 201, and the row goes DEAD
 * where no one in the identity provider looks. A minimal check, as Fulcrum's own rule is not
 * documented: one {@code @} with text on either side, no blank (the emulator's rule, blanks beyond
 * ASCII's too). Only an email that is new to Fulcrum is checked, so a user stored with one keeps
 * changing, and a deactivation lands whatever email it carries.
 */
final class FulcrumEmail {
  private FulcrumEmail() {}

  /**
   * {@code user}, normalized to replace {@code previous} (null for a new one), when its email may go
   * to Fulcrum: an active user's, new, changed or reactivated. An inactive user is never sent
   * (Entra provisions disabled users, some with a userName that is no address: refused, they count
   * towards quarantining its whole job), and one reactivated is checked then.
   */
  static ObjectNode checked(ObjectNode user, ObjectNode previous) {
    UserFields fields = UserFields.of(user);
    String email = fields.email();
    UserFields before = previous == null ? null : UserFields.of(previous);
    if (!fields.active() || email == null || possible(email)
        || before != null && before.active() && email.equals(before.email())) {
      return user;
    }
    throw ScimException.invalidValue("the user's email for Fulcrum (its primary email, else its first, else its"
        + " userName) is '" + email + "', which is not an email address: Fulcrum would refuse it");
  }

  private static boolean possible(String email) {
    int at = email.indexOf('@');
    return at > 0 && at == email.lastIndexOf('@') && at < email.length() - 1 && email.codePoints().noneMatch(
        c -> Character.isWhitespace(c) || Character.isSpaceChar(c));
  }
}
