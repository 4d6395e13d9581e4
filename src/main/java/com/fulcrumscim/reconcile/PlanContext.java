package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumUser;

/**
 * What a plan needs besides one key's state: the token owner (never adopted, never removed) and
 * its membership id, role resolution, and policy from config.
 */
public record PlanContext(
    FulcrumUser tokenOwner,
    String ownerMemberId,
    boolean ownerIdListed,
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
   * the token owner. The id decides once the member list has shown the owner's membership with
   * it ({@code ownerIdListed}): a member given an address the owner no longer uses must not pass
   * for the owner and keep access. Without that, an email match counts too, as it must not remove
   * the owner on an id Fulcrum spells differently in the two lists.
   */
  public boolean isOwner(String userId, String email) {
    boolean byId = userId != null && userId.equals(tokenOwner.id());
    if (userId != null && ownerIdListed) {
      return byId;
    }
    return byId || (email != null && email.equalsIgnoreCase(tokenOwner.email()));
  }
}
