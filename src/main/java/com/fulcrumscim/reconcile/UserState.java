package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.journal.DeletedUser;
import com.fulcrumscim.journal.DesiredUser;

/**
 * Everything the planner knows about one user key. Null means absent:
 * {@code desired} (deleted in Okta), {@code deleted} (not deleted, or its tombstone is gone),
 * {@code link} (not managed), {@code linked} (the linked member is gone from Fulcrum),
 * {@code byEmail} (no member has the desired email, or the deleted user's last one),
 * {@code intent} (no create in doubt). {@code byEmailLinkedTo} is the other SCIM user already
 * managing {@code byEmail}. {@code byEmailClaim}, asked only for a user Okta deactivated or deleted
 * whose {@code byEmail} no user manages: the other user that member is being given to (null:
 * none, or not asked). {@code byEmailLinkedToLeaves}: Okta deactivated or deleted {@code
 * byEmailLinkedTo}, whose own reconcile then hands the member over or removes it. {@code heir}, asked only for a
 * user Okta deactivated or deleted whose linked member is there: the active user other than it with
 * that member's email, which has no link and no create in doubt, to hand the member over to (null:
 * none). {@code byEmailLeaver}, asked only for an active user whose {@code byEmail} no user manages:
 * a user Okta deactivated or deleted, without a link to a member that is there, whose change is
 * still to be made or waits for an operator (queued, held, DEAD) and whose plan names that member
 * (adopts and removes it, or reports it keeping access), this user not being its person pushed
 * again ({@link SamePerson}) (null: none).
 */
public record UserState(
    String scimId,
    DesiredUser desired,
    DeletedUser deleted,
    Link link,
    FulcrumMember linked,
    FulcrumMember byEmail,
    String byEmailLinkedTo,
    EmailClaims.Claim byEmailClaim,
    Intent intent,
    boolean byEmailLinkedToLeaves,
    EmailClaims.Claim.ActiveUser heir,
    String byEmailLeaver) {

  /**
   * The email a user's member is looked up by: a create in doubt's (what it was made with), else
   * the user's, else a deleted user's last one (its tombstone); null: none.
   */
  static String lookedUpBy(DesiredUser desired, DeletedUser deleted, Intent intent) {
    return intent != null ? intent.matchKey() : desired != null ? desired.email() : deleted != null ? deleted.email() : null;
  }

  /**
   * Okta deactivated or deleted the user, and no member with the email it is looked up by (see
   * {@link #lookedUpBy}) is in the list read, nor its linked one: what ends its deprovisioning done
   * (nothing left of the person's), if that list is to be believed.
   */
  boolean leftNoMemberListed() {
    String email = lookedUpBy(desired, deleted, intent);
    return (desired == null || !desired.active()) && linked == null && byEmail == null && email != null && !email.isBlank();
  }

  /** No other user's link or heir in play. */
  public UserState(String scimId, DesiredUser desired, DeletedUser deleted, Link link, FulcrumMember linked,
      FulcrumMember byEmail, String byEmailLinkedTo, EmailClaims.Claim byEmailClaim, Intent intent) {
    this(scimId, desired, deleted, link, linked, byEmail, byEmailLinkedTo, byEmailClaim, intent, false, null, null);
  }
}
