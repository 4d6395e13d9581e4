package com.fulcrumscim.fulcrum;

import java.util.Locale;

/** Fields to create a member with, or to change on one; null means "leave as it is". */
public record MemberFields(String email, String firstName, String lastName, String roleId) {
  public boolean isEmpty() {
    return email == null && firstName == null && lastName == null && roleId == null;
  }

  /**
   * Whether a member's name is already the one wanted: white space around either does not count,
   * case does. Fulcrum strips names, and releases before names were trimmed at intake stored them
   * unstripped: compared exactly, such a name would be sent again at every re-read. The planner
   * decides with it whether to send a name, and the client whether a PUT's answer kept it, so the
   * two cannot disagree.
   */
  public static boolean sameName(String wanted, String held) {
    return wanted != null && held != null && wanted.strip().equals(held.strip());
  }

  /** As {@link #sameName}, in any case: an email address. */
  public static boolean sameEmail(String wanted, String held) {
    return wanted != null && held != null
        && wanted.strip().toLowerCase(Locale.ROOT).equals(held.strip().toLowerCase(Locale.ROOT));
  }
}
