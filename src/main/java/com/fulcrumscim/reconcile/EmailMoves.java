package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Why Fulcrum refused a managed member's new email, when another managed member holds it whose own
 * user is moving to another address too (review-rec F2). Okta moves emails between people (ada
 * takes bob@ while bob takes ada@, or a chain a to b@, b to c@); Fulcrum refuses an address while
 * any member holds it. A chain frees itself once its last move is made: the change is retried (an
 * attempt, so a holder that never moves still ends DEAD), its holder's user queued. A cycle never
 * does: each PUT waits for another's. The bridge does not break it with a temporary address of its
 * own (an email is a login identity, and Fulcrum may mail the person); the row is DEAD naming every
 * user of the cycle and what to do. A holder the bridge does not manage (a person invited by hand)
 * never moves: the row is DEAD naming it and what to do (review-s13b F3). A managed holder that stays
 * keeps Fulcrum's own refusal.
 */
final class EmailMoves {
  /** Users followed along a chain before it is taken for one that ends: past that, an operator looks. */
  static final int MAX_CHAIN = 20;

  private final Observer observer;
  private final LinkStore links;

  EmailMoves(Observer observer, LinkStore links) {
    this.observer = observer;
    this.links = links;
  }

  /**
   * The outcome of {@code change} to {@code attempt}'s member, refused ({@code refused}) on a member
   * list read in this reconcile; empty when another managed user moving away does not hold the
   * address.
   */
  Optional<Outcome> refused(Attempt attempt, Action.UpdateMember change, FulcrumException.Rejected refused) {
    String wanted = change.changes().email();
    Optional<FulcrumMember> own = observer.members.get(change.memberId());
    if (wanted == null || own.isEmpty()) {
      return Optional.empty();
    }
    Optional<Move> first = holderMoving(wanted, change.memberId());
    if (first.isEmpty()) {
      return unmanagedHolder(wanted, change.memberId()).map(holder -> new Outcome.Terminal(heldByUnmanaged(attempt, holder, refused)));
    }
    attempt.alsoDue(ResourceKey.user(first.get().scimId()));
    List<String> users = new ArrayList<>(List.of(attempt.key.scimId()));
    Optional<Move> next = first;
    for (int i = 0; next.isPresent() && i < MAX_CHAIN && !users.contains(next.get().scimId()); i++) {
      Move m = next.get();
      users.add(m.scimId());
      if (MemberFields.sameEmail(m.to(), own.get().email())) {
        return Optional.of(new Outcome.Terminal(swap(users, refused)));
      }
      next = holderMoving(m.to(), m.memberId());
    }
    return Optional.of(new Outcome.Failed(refused.getMessage() + "; " + wanted + " is held by member "
        + first.get().memberId() + " of " + ResourceKey.user(first.get().scimId()) + ", which Okta moves to "
        + first.get().to() + ": retried once that change frees it"));
  }

  /** Member {@code memberId}, of managed user {@code scimId}, holds an address its user wants changed {@code to}. */
  private record Move(String scimId, String memberId, String to) {}

  /** The move of a managed member holding {@code address}, not {@code besides}, whose active user wants another. */
  private Optional<Move> holderMoving(String address, String besides) {
    for (FulcrumMember holder : observer.members.matching(address)) {
      if (holder.id().equals(besides)) {
        continue;
      }
      Optional<String> user = links.scimIdOf(EntityType.USER, holder.id());
      Optional<DesiredUser> d = user.flatMap(observer::desiredUserOf);
      if (d.isPresent() && d.get().active() && d.get().email() != null && !MemberFields.sameEmail(d.get().email(), address)) {
        return Optional.of(new Move(user.get(), holder.id(), d.get().email()));
      }
    }
    return Optional.empty();
  }

  /** A member holding {@code address}, not {@code besides}, that no user of the bridge's is linked to. */
  private Optional<FulcrumMember> unmanagedHolder(String address, String besides) {
    return observer.members.matching(address).stream()
        .filter(holder -> !holder.id().equals(besides) && links.scimIdOf(EntityType.USER, holder.id()).isEmpty())
        .findFirst();
  }

  private static String heldByUnmanaged(Attempt attempt, FulcrumMember holder, FulcrumException.Rejected refused) {
    return refused.getMessage() + "; another Fulcrum member, " + holder.id() + ", not managed by the bridge, holds "
        + holder.email() + ". Correct the address in Okta (its next push is tried at once), or, if that member is this"
        + " person's own account, remove or change it in Fulcrum, then `fulcrum-scim journal retry " + attempt.key + "`";
  }

  private static String swap(List<String> users, FulcrumException.Rejected refused) {
    List<String> keys = users.stream().map(u -> ResourceKey.user(u).toString()).toList();
    return refused.getMessage() + "; email swap between " + String.join(" and ", keys) + ": Fulcrum refuses each"
        + " address while the other member holds it. Change one of their addresses by hand in Fulcrum (to a"
        + " temporary one), then `fulcrum-scim journal retry` " + String.join(" ", keys);
  }
}
