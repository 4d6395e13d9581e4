package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Observe and plan one key, no writes: the reconciler's first half, and all that resync needs to
 * show drift. A plan that would create, unlink, recreate, link, refuse or take a role back because
 * of what a cached list says is confirmed first, unless the list was read during this cycle: the one
 * member or group in doubt is read again, or the whole list when that is cheaper ({@link #rereads()}
 * counts those reads), and the key planned again on what Fulcrum answered. A create in doubt (an open
 * intent) whose member or group the list does not show is confirmed by reading the list again, as
 * is the absence of any member with the email of a user Okta took away when the list was read over
 * several pages ({@link UserState#leftNoMemberListed}).
 */
public final class ReadSide {
  /** Each confirmation adds at least one id; a handful settles any real plan. */
  private static final int MAX_CONFIRMATIONS = 4;

  final Observer observer;
  private final Planner planner = new Planner();
  private final RestoreHold restoreHold;

  ReadSide(Observer observer, RestoreHold restoreHold) {
    this.observer = observer;
    this.restoreHold = restoreHold;
  }

  /**
   * Plans against what {@code source} answers, e.g. resync's snapshot client, whose lists were read
   * once for the whole run.
   */
  public static ReadSide over(FulcrumClient source, Database db, ReconcileSettings settings, Clock clock) {
    return new ReadSide(new Observer(source, db, new DesiredState(db), new LinkStore(db), new IntentStore(db), settings, clock),
        new RestoreHold(db));
  }

  /** What reconciling {@code key} would do now, confirmed where the cached lists are in doubt. */
  public Plan plan(ResourceKey key) {
    return plan(Attempt.planOnly(key));
  }

  /** Plans the attempt's key; its {@code confirmed} ids grow with each re-read. */
  Plan plan(Attempt attempt) {
    ResourceKey key = attempt.key;
    Set<String> confirmed = attempt.confirmed;
    boolean listed = false;
    for (int i = 0; ; i++) {
      PlanContext context = observer.context();
      Plan plan;
      Set<String> doubts;
      boolean createUnseen;
      String linkedUnlisted;
      boolean noMemberListed = false;
      if (key.type() == EntityType.USER) {
        Mirror.Copy read = observer.memberCopy();
        UserState s = observer.user(attempt);
        plan = restoreHold.check(s, planner.user(s, context), () -> observer.restoreMark(attempt));
        doubts = doubts(s, plan);
        createUnseen = s.link() == null && s.intent() != null && s.byEmail() == null;
        linkedUnlisted = s.link() != null && s.linked() == null ? s.link().fulcrumId() : null;
        noMemberListed = s.leftNoMemberListed() && !observer.members.wholeThroughout(read);
      } else {
        GroupState s = observer.group(attempt);
        FulcrumGroup unknown = membersUnknown(s, context);
        if (unknown != null && attempt.readById.add(unknown.id())) {
          // The list left its members out; a read by id may give them. Only on this odd path.
          observer.rereadGroup(unknown.id());
          continue;
        }
        plan = unknown != null ? Plan.blockedNotKnowingAccess(membersUnknownReason(attempt.key, unknown)) : planner.group(s, context);
        doubts = doubts(s, plan);
        if (removesUnlinked(plan, context)) {
          doubts.add(s.linked().id());
        }
        createUnseen = s.link() == null && s.intent() != null && Planner.madeBy(s.intent(), s.sameName()) == null;
        linkedUnlisted = s.link() != null && s.linked() == null ? s.link().fulcrumId() : null;
      }
      if (createUnseen && !listed) {
        // A create in doubt whose entity the cached list does not show (for a group: none of its
        // name carrying the marker) may be one another writer made after that list was read:
        // without a fresh list the plan would drop the intent and leave that member or group in
        // Fulcrum for good, or make the group twice. No single id to GET, so the list.
        listed = true;
        boolean reread = key.type() == EntityType.USER ? observer.confirmMemberList() : observer.confirmGroupList();
        if (reread) {
          // Not the absence's second read below: the list at hand predates the create, so this is
          // the first read that could show its member, and over several pages it can miss it too.
          continue; // a list read in this cycle already answers: the plan stands
        }
      }
      doubts.removeAll(confirmed);
      if (doubts.isEmpty() || i >= MAX_CONFIRMATIONS) {
        if (linkedUnlisted != null && attempt.readById.add(linkedUnlisted)) {
          // Even a list read in this cycle can miss an entity (a page shifts while the organization
          // changes): forgetting the link on that would leave a deprovisioned person in Fulcrum.
          if (key.type() == EntityType.USER) {
            observer.rereadMember(linkedUnlisted);
          } else {
            observer.rereadGroup(linkedUnlisted);
          }
          continue;
        }
        if (noMemberListed && attempt.memberListReadAgain()) {
          // A list of several pages can miss a member: ended done on that absence, a deprovisioning
          // would leave the person invited by hand (or again) with the access Okta took away, and
          // nothing would look again. So a second read must miss it too; once per reconcile, only
          // for a user Okta took away whose email that list does not show.
          observer.rereadMemberList();
          continue;
        }
        return plan;
      }
      attempt.readById.addAll(key.type() == EntityType.USER ? observer.confirmMembers(doubts) : observer.confirmGroups(doubts));
      confirmed.addAll(doubts);
    }
  }

  /**
   * The linked group when its members are unknown (Fulcrum left member_ids out) and the plan would
   * need them: taken for empty, members Okta removed would stay in it and every add be sent again.
   * A group deleted in Okta needs no members; neither does any other group, which plans as usual.
   */
  private static FulcrumGroup membersUnknown(GroupState s, PlanContext context) {
    FulcrumGroup linked = s.linked();
    return context.groupsPush() && s.desired() != null && s.link() != null && linked != null && !linked.membersKnown()
        ? linked : null;
  }

  private static String membersUnknownReason(ResourceKey key, FulcrumGroup g) {
    return "Fulcrum answers group '" + g.name() + "' (" + g.id() + ") without member_ids, in its list and read by id:"
        + " who is in it is unknown, so no member change is planned for it (taken for empty, people Okta took out"
        + " would keep it); other groups are not affected. Once Fulcrum lists its members: fulcrum-scim journal retry "
        + key;
  }

  /**
   * Member ids whose cached copy decides the plan in a way a stale copy would make wrong: a linked
   * member missing from the list (unlink, recreate, or a removal skipped), a linked member whose role
   * the plan takes back or lets go of (a role set by hand after the list was read is the admin's), and
   * a member found by email that the plan links, takes over, removes, refuses for or skips (as the token owner's:
   * an owner who took another address by hand leaves it to a new member), or waits for a leaving user
   * holding it without a link ({@link UserState#byEmailLeaver}: a member removed by hand since the
   * list was read holds nothing up, and the leaver's row, set aside, may wait for an operator).
   */
  static Set<String> doubts(UserState s, Plan plan) {
    Set<String> out = new LinkedHashSet<>();
    if (s.link() != null && s.linked() == null) {
      out.add(s.link().fulcrumId());
    }
    if (s.linked() != null && plan.dropsOktaRole()) {
      out.add(s.linked().id());
    }
    if (s.byEmail() != null && (s.link() == null || s.linked() == null)
        && (plan.isBlocked() || skips(plan) || touches(plan, s.byEmail().id()) || s.byEmailLeaver() != null)) {
      out.add(s.byEmail().id());
    }
    return out;
  }

  /**
   * Group ids: a linked group missing from the list, a same-name group the plan links or deletes,
   * and, while no group carrying the bridge's marker is found for a create in doubt, the new
   * same-name groups the list shows without a description: a list may leave descriptions out, and
   * only the group's own answer says whether it is the bridge's.
   */
  static Set<String> doubts(GroupState s, Plan plan) {
    Set<String> out = new LinkedHashSet<>();
    if (s.link() != null && s.linked() == null) {
      out.add(s.link().fulcrumId());
    }
    s.sameName().stream().filter(g -> touches(plan, g.id())).forEach(g -> out.add(g.id()));
    if (s.link() == null && Planner.madeBy(s.intent(), s.sameName()) == null) {
      Planner.undescribed(s.intent(), s.sameName()).forEach(g -> out.add(g.id()));
    }
    return out;
  }

  /**
   * A group plan that removes a member no link points to: a member added by hand, or one the
   * cached group still lists though a second writer removed it from Fulcrum (its removal would be
   * refused). The owner, whom Fulcrum adds to the groups it creates, is expected.
   */
  private boolean removesUnlinked(Plan plan, PlanContext context) {
    List<String> removed = plan.actions().stream().filter(a -> a instanceof Action.ChangeGroupMembers)
        .flatMap(a -> ((Action.ChangeGroupMembers) a).remove().stream())
        .filter(id -> !id.equals(context.ownerMemberId())).toList();
    if (removed.isEmpty()) {
      return false;
    }
    Set<String> linked = observer.linkedAmong(removed);
    return removed.stream().anyMatch(id -> !linked.contains(id));
  }

  private static boolean skips(Plan plan) {
    return plan.actions().stream().anyMatch(a -> a.kind() == Action.Kind.SKIP);
  }

  private static boolean touches(Plan plan, String fulcrumId) {
    return plan.actions().stream().anyMatch(a ->
        a instanceof Action.Link l && l.fulcrumId().equals(fulcrumId)
            || a instanceof Action.RemoveMember r && r.memberId().equals(fulcrumId)
            || a instanceof Action.HandOver o && o.memberId().equals(fulcrumId)
            || a instanceof Action.DeleteGroup d && d.groupId().equals(fulcrumId));
  }

  /**
   * Drops the cached copies of Fulcrum's members and groups: the next plan reads Fulcrum again.
   * Resync calls it because edits made by hand in Fulcrum are invisible to a copy read before them.
   */
  public void forget() {
    observer.invalidate();
  }

  /**
   * Whether users.reassign_records_to names a member that is gone, as the last plan found: removed
   * members' records then stay unassigned.
   */
  public boolean reassignTargetMissing() {
    return observer.reassignTargetMissing();
  }

  /**
   * What plans are made with, the token owner among it: resync's orphan search asks the planner's
   * {@link PlanContext#isOwner} rather than a rule of its own.
   */
  public PlanContext context() {
    return observer.context();
  }

  /** Single-entity reads made to confirm a plan (and a removal whose answer was lost). */
  public long rereads() {
    return observer.rereads();
  }
}
