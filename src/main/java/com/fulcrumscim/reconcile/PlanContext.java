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

  /**
   * Whether a member (its user account id, when Fulcrum gives one) or a SCIM user (email alone) is
   * the token owner. The id decides when there is one: the owner's email is learned once, and a
   * member given the owner's former address must not pass for the owner and keep access.
   */
  public boolean isOwner(String userId, String email) {
    if (userId != null) {
      return userId.equals(tokenOwner.id());
    }
    return email != null && email.equalsIgnoreCase(tokenOwner.email());
  }
}
