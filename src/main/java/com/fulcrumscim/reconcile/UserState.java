package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.journal.DeletedUser;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.MatchKey;
import com.fulcrumscim.journal.MemberAddresses;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

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
 * again ({@link SamePerson}) (null: none). {@code held}, read only for a user Okta deactivated or
 * deleted: the addresses its own member had in Fulcrum ({@link MemberAddresses}; null: not known).
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
    String byEmailLeaver,
    MemberAddresses.Held held) {

  /**
   * The emails a user's member is looked up by, the first that finds one winning: a create in
   * doubt's (what it was made with); else, for a user Okta deactivated or deleted, the address it had
   * when it lost access, then its current one (a deleted user's: its tombstone's last one); else the
   * user's. The address it left with comes first: the member the person may still hold has it,
   * whatever the inactive user was given since (Entra renames a disabled user's address to free it),
   * and a member with the new address must not hide it; none found there, one with the new address
   * is the person's too (invited by hand under it).
   */
  public static List<String> lookedUpBy(DesiredUser desired, DeletedUser deleted, Intent intent) {
    if (intent != null) {
      return intent.matchKey() == null ? List.of() : List.of(intent.matchKey());
    }
    Stream<String> emails = desired != null
        ? desired.active() ? Stream.of(desired.email()) : Stream.of(desired.leftWith(), desired.email())
        : deleted != null ? Stream.of(deleted.leftWith(), deleted.email()) : Stream.empty();
    // the same address twice (the usual leaver, not renamed since) is looked up once
    Map<String, String> byKey = new LinkedHashMap<>();
    emails.filter(Objects::nonNull).forEach(e -> byKey.putIfAbsent(MatchKey.of(e), e));
    return List.copyOf(byKey.values());
  }

  /**
   * Okta deactivated or deleted the user, and no member with an email it is looked up by (see
   * {@link #lookedUpBy}) is in the list read, nor its linked one: what ends its deprovisioning done
   * (nothing left of the person's), if that list is to be believed.
   */
  boolean leftNoMemberListed() {
    return (desired == null || !desired.active()) && linked == null && byEmail == null
        && lookedUpBy(desired, deleted, intent).stream().anyMatch(email -> !email.isBlank());
  }

  /**
   * The member with an email the user is looked up by was found under an address Okta gave it that
   * its own member never had in Fulcrum (Fulcrum refused it as another member's, or the user left
   * before it was applied): that member may be the person invited again by hand, or someone else
   * (review-s13b F1). False when which addresses the member had is not known.
   */
  boolean byEmailNeverItsMembers() {
    return held != null && byEmail != null && !held.reached(byEmail.email());
  }

  /** No other user's link or heir in play. */
  public UserState(String scimId, DesiredUser desired, DeletedUser deleted, Link link, FulcrumMember linked,
      FulcrumMember byEmail, String byEmailLinkedTo, EmailClaims.Claim byEmailClaim, Intent intent) {
    this(scimId, desired, deleted, link, linked, byEmail, byEmailLinkedTo, byEmailClaim, intent, false, null, null, null);
  }
}
