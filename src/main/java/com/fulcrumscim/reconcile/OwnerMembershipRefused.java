package com.fulcrumscim.reconcile;

import com.fulcrumscim.journal.ResourceKey;

/**
 * A plan would change or remove the token owner's membership, which the bridge never does: the
 * Applier's last check refused it before any call ({@link Observer#ownerMemberships}). Only a plan
 * that did not recognise the owner makes one: Fulcrum shows the owner's membership under an email
 * other than the token's user's (changed by hand, with a member list that carries no account ids).
 * Retrying cannot help; the reconciler ends the row DEAD with this reason, logged at ERROR.
 */
final class OwnerMembershipRefused extends RuntimeException {
  OwnerMembershipRefused(ResourceKey key, Action.Kind kind, String memberId, String memberEmail, String ownerEmail) {
    super(key + ": the plan would " + (kind == Action.Kind.REMOVE_MEMBER ? "remove" : "change") + " Fulcrum member "
        + memberId + (memberEmail == null ? "" : " (" + memberEmail + ")") + ", the Fulcrum API token's owner's membership,"
        + " which the bridge never changes or removes: refused, nothing sent. Fulcrum lists that membership under "
        + memberEmail + " while the token's user (GET /users.json) is " + ownerEmail + ", so the plan did not recognise"
        + " the owner. Make the two agree in Fulcrum (put the token user's email back on the membership), or set"
        + " fulcrum.api_token to another Owner's token and restart; then `fulcrum-scim journal retry " + key + "`", null,
        false, false);
  }
}
