package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumUser;

/**
 * What a plan needs besides one key's state: the token owner (never adopted, never removed) and
 * its membership id, role resolution, and policy from config.
 */
public record PlanContext(
    FulcrumUser tokenOwner,
    String ownerMemberId,
    RoleTable roles,
    boolean adoptExisting,
    String reassignTo,
    boolean groupsPush) {

  /**
   * Who receives the records of the member {@code memberId} when it is removed: the configured
   * member, but never the member itself (Fulcrum refuses that with 422, and the person would keep
   * access); null means unassigned.
   */
  public String reassignFor(String memberId) {
    return memberId.equals(reassignTo) ? null : reassignTo;
  }

  public boolean isOwner(String userId, String email) {
    return (userId != null && userId.equals(tokenOwner.id()))
        || (email != null && email.equalsIgnoreCase(tokenOwner.email()));
  }
}
