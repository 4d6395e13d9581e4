package com.fulcrumscim.scim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.journal.UserFields;

/**
 * The email a user gets in Fulcrum ({@link UserFields}: the primary email, else the first, else the
 * userName) must be one: Fulcrum refuses an impossible one (422 "email is invalid") only when the
 * reconciler pushes it, long after the identity provider was answered 201, and the row goes DEAD
 * where no one in the identity provider looks. A minimal check, as Fulcrum's own rule is not
 * documented: one {@code @} with text on either side, no blank (the emulator's rule, blanks beyond
 * ASCII's too). Only a changed email is checked, so a user stored with one keeps changing (a
 * deactivation beside a new impossible one lands alone).
 */
final class FulcrumEmail {
  private FulcrumEmail() {}

  /** {@code user}, normalized to replace {@code previous} (null for a new one), when its email may go to Fulcrum. */
  static ObjectNode checked(ObjectNode user, ObjectNode previous) {
    String email = UserFields.of(user).email();
    if (email == null || possible(email) || previous != null && email.equals(UserFields.of(previous).email())) {
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
