package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The deactivation of a user whose request is refused for the rest of what it carries: a value the
 * protocol layer refuses (a second role, a control character in a name), a userName taken by
 * someone who left. A person the identity provider deprovisions must lose access whatever else the
 * request carries: Okta deactivates by a PUT of its whole profile (its GET, then the PUT with active
 * false), Entra sends every changed attribute in the PATCH that deactivates, and neither sends a
 * refused request again. As {@link Intake}'s cut at the stored-document bound, only the
 * deactivation is stored: the committed document with {@code active} false.
 */
final class DeactivationAlone {
  private DeactivationAlone() {}

  /**
   * The change: the committed document with {@code active} false, or as it is when the user is
   * inactive already (nothing to land: the refusal stands). A reactivation is not one: refused, it
   * stays refused.
   */
  static ObjectNode of(StoredResource old) {
    return UserFields.of(old.doc()).active() ? old.doc().deepCopy().put("active", false) : old.doc();
  }
}
