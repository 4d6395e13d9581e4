package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumMember;
import java.time.Instant;
import java.util.Optional;

/**
 * A member removal is done only once a read made after its DELETE finds the member gone: the
 * cycle's removals are read back together ({@link RemovalChecks}), in one read of the member list
 * when it comes in one page ({@link com.fulcrumscim.fulcrum.MemberList#whole}; up to 20,000 members:
 * 50 removals cost 51 calls, not 100), else each by id (a lone removal: its DELETE and a read by id).
 */
final class MemberRemovalCheck implements ReadBack<MemberRemovalCheck.Sent, MemberRemovalCheck.Found> {
  static final MemberRemovalCheck KIND = new MemberRemovalCheck();

  private MemberRemovalCheck() {}

  /**
   * A removal whose DELETE went out {@code at}: the member, its email when planned, where its records
   * went, what the DELETE got.
   */
  record Sent(String memberId, String email, String reassignTo, ConfirmedDelete.Sent delete, Instant at) {
    /** How the removal's messages name it. */
    String entity(String memberEmail) {
      return "removing member " + memberId + " (" + memberEmail + ")";
    }
  }

  /**
   * What the check found for {@code sent}: what Fulcrum still has (the member itself, or in the list
   * a member with its email, invited again by hand after the DELETE; empty: gone), or why it could
   * not read; whether it read the list; and, found gone, a member with its email left in place
   * because another user has it (null: none), for the removal's audit row.
   */
  record Found(Sent sent, Optional<FulcrumMember> still, RuntimeException failure, boolean listed, String leftInPlace) {
    /**
     * The status the DELETE got (0: no answer) once the member is found gone; else the retryable
     * failure {@link ConfirmedDelete} gives ({@code then}: what happens next), or the read's own.
     */
    int status(String then) {
      if (failure instanceof FulcrumException) {
        throw failure;
      }
      if (failure != null) {
        // not the read's word on Fulcrum (a bug, an answer the client could not take): the removal
        // fails as any whose DELETE was not checked, so that its audit row records the DELETE
        throw notReadBack(sent, "the read failed: " + failure, then);
      }
      if (still.isEmpty()) {
        return sent.delete().status();
      }
      FulcrumMember m = still.get();
      boolean itself = m.id().equals(sent.memberId());
      throw ConfirmedDelete.stillThere(FulcrumClient.MEMBER_DELETE, sent.delete(), sent.entity(itself ? m.email() : sent.email()),
          itself ? "still has it" : "has " + m.email() + " again, as new member " + m.id(),
          listed ? "read back in the member list" : "read back by id", then);
    }

    /** The removal's audit detail, after where its records went. */
    String detail(String records) {
      return leftInPlace == null ? records : records + "; " + leftInPlace;
    }
  }

  @Override
  public String write() {
    return "DELETE";
  }

  @Override
  public String id(Sent sent) {
    return sent.memberId();
  }

  /**
   * Only a list that came in one page: read over several, a member can slip from an unread page onto
   * a read one while it is read (another removed by hand as someone is added; the total stays) and be
   * taken for removed while the person keeps access. Bigger organizations read each back by id. The
   * read itself says how many pages it took: Fulcrum may answer fewer members a page than asked.
   */
  @Override
  public boolean listed(Observer observer, int count) {
    return count > 1 && observer.memberListWhole();
  }

  /** The copy at hand was one page, the organization may have grown past it since: the new read decides. */
  @Override
  public boolean relist(Observer observer) {
    observer.rereadMemberList();
    return observer.memberListWhole();
  }

  /**
   * In the list read: the member under its id, else one with its email that no other user has: a
   * person invited again by hand since the DELETE. One another user manages or is given (Okta
   * moved the email to it in the same batch) is that user's, as the planner has it
   * ({@link Observer#otherUserOf}): the removal is done, and its audit row says so.
   */
  private static Found lookedUp(Observer observer, Attempt attempt, Sent sent) {
    Optional<FulcrumMember> itself = observer.members.get(sent.memberId());
    if (itself.isPresent() || sent.email() == null) {
      return new Found(sent, itself, null, true, null);
    }
    String leftInPlace = null;
    for (FulcrumMember m : observer.members.matching(sent.email())) {
      Optional<String> whose = observer.otherUserOf(m, attempt.key.scimId());
      if (whose.isEmpty()) {
        return new Found(sent, Optional.of(m), null, true, null);
      }
      leftInPlace = "Fulcrum member " + m.id() + " (" + m.email() + ") is left in place: it belongs to " + whose.get();
    }
    return new Found(sent, Optional.empty(), null, true, leftInPlace);
  }

  /**
   * An absence only from one whole read: {@code listed} was decided on one, but another worker may
   * reload the list before or while the member is looked up, over several pages that miss it (review-s11d
   * G1's shape); taken for removed, the person would keep access. Then it is read by id, which only that
   * race costs.
   */
  @Override
  public Found inList(Observer observer, Attempt attempt, Sent sent) {
    Mirror.Copy read = observer.members.copy();
    Found found = lookedUp(observer, attempt, sent);
    return found.still().isPresent() || observer.members.wholeThroughout(read) ? found : byId(observer, sent);
  }

  @Override
  public Found byId(Observer observer, Sent sent) {
    try {
      return new Found(sent, observer.rereadMember(sent.memberId()), null, false, null);
    } catch (RuntimeException e) {
      return new Found(sent, Optional.empty(), e, false, null);
    }
  }

  @Override
  public Found listFailed(Sent sent, RuntimeException failure) {
    return new Found(sent, Optional.empty(), failure, true, null);
  }

  @Override
  public Found notChecked(Sent sent, String why) {
    return new Found(sent, Optional.empty(), notReadBack(sent, why, Applier.LINK_STAYS), false, null);
  }

  private static FulcrumException.Unavailable notReadBack(Sent sent, String why, String then) {
    return ConfirmedDelete.notReadBack(FulcrumClient.MEMBER_DELETE, sent.delete(), sent.entity(sent.email()), why, then);
  }
}
