package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.control.OperatorActions;
import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.testing.ReconcileHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * A member a leaver holds without a link (here: its managed member removed by hand and the person
 * invited again by hand) is left to another user only when that user is the leaver's person pushed
 * again ({@link SamePerson}), as a linked member is handed over (review-s6a F1): a new hire given the
 * recycled address later is a different person, who neither ends the leaver's deprovisioning (its
 * DEAD "still has access" row) nor adopts the leaver's account while its removal is held.
 */
class UnlinkedLeaversMemberTest extends EndToEnd {
  static final String ADA = "ada@corp.example";
  private String ada;

  /**
   * Ada pushed; her member removed by hand and she invited again by hand; 10 minutes later Okta
   * deactivates her: DEAD "still has access" (users.adopt_existing: false), or her plan (adopt and
   * remove) HELD by the guard (0/0). Returns the member invited by hand.
   */
  private FulcrumMember adaInvitedAgainByHandThenDeactivated(boolean adopt) {
    return invitedAgainByHandThenDeactivated(adopt, ADA, ADA);
  }

  /**
   * Ada pushed with {@code oktaEmail} (and whoever Okta has pushed meanwhile); her member removed by
   * hand and she invited again by hand as {@code handEmail}; 10 minutes pass. Returns that member.
   */
  private FulcrumMember invitedAgainByHand(String oktaEmail, String handEmail) {
    ada = h.okta.user(oktaEmail, "Ada", "Lovelace", null);
    h.settle();
    h.http.deleteMember(inFulcrum(oktaEmail).id(), null);
    FulcrumMember byHand = h.http.createMember(new MemberFields(handEmail, "Ada", "ByHand", null));
    changedOnPurpose.add(byHand.id());
    h.clock.tick(Duration.ofMinutes(10));
    return byHand;
  }

  /**
   * As {@link #adaInvitedAgainByHandThenDeactivated}, Ada pushed with {@code oktaEmail} and invited
   * again by hand as {@code handEmail}.
   */
  private FulcrumMember invitedAgainByHandThenDeactivated(boolean adopt, String oktaEmail, String handEmail) {
    return invitedAgainByHandThenDeactivated(ReconcileHarness.Options.defaults().withGuard(0, 0), adopt, oktaEmail, handEmail);
  }

  /** As {@link #invitedAgainByHandThenDeactivated(boolean, String, String)}, the harness started with {@code options}. */
  private FulcrumMember invitedAgainByHandThenDeactivated(ReconcileHarness.Options options, boolean adopt, String oktaEmail,
      String handEmail) {
    start(options.withParallelism(1).withSettings(adopt ? UserPushTest.adopting() : UserPushTest.DEFAULTS));
    FulcrumMember byHand = invitedAgainByHand(oktaEmail, handEmail);
    h.okta.set(ada, "active", 0);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(adopt ? WorkState.HELD : WorkState.DEAD);
    return byHand;
  }

  /** Entra: Ada disabled; her address recycled to a new hire on day 20; Ada deleted for good on day 30. */
  @Test
  void aNewHireGivenTheAddressDaysLaterDoesNotEndTheLeaversDeadDeprovisioningWhileItsPersonKeepsAccess() {
    FulcrumMember byHand = adaInvitedAgainByHandThenDeactivated(false);
    h.clock.tick(Duration.ofDays(20));
    String newHire = h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    h.runOnce();
    h.clock.tick(Duration.ofDays(10));
    h.okta.deleteUser(ada);
    h.runOnce();

    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("Fulcrum member " + byHand.id()).contains("still has access");
    assertThat(h.fulcrum.member(byHand.id())).isPresent();
    assertThat(new LinkStore(h.db).get(EntityType.USER, newHire)).isEmpty();
  }

  /**
   * users.adopt_existing: true. Ada's plan (adopt the member invited by hand and remove it) is HELD;
   * 120 days later a new hire is given her address: it waits for Ada's row, naming the hold, instead
   * of adopting Ada's account; once approved, Ada's member is removed and the new hire gets its own.
   */
  @Test
  void aNewHireGivenAHeldLeaversAddressLongAfterWaitsAndGetsItsOwnMemberOnceApproved() {
    FulcrumMember byHand = adaInvitedAgainByHandThenDeactivated(true);
    h.clock.tick(Duration.ofDays(120));
    String newHire = h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    h.runOnce();

    LinkStore links = new LinkStore(h.db);
    assertThat(links.get(EntityType.USER, newHire)).isEmpty();
    WorkItem waiting = h.row(ResourceKey.user(newHire));
    assertThat(waiting.state()).isEqualTo(WorkState.RETRYING);
    assertThat(waiting.lastError()).contains("user/" + ada).contains("HELD by the mass-removal guard");

    h.guard.approveHeld(h.queue, h.guard.held());
    h.settle();

    assertThat(h.fulcrum.member(byHand.id())).as("Ada's person's member").isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.row(ResourceKey.user(newHire)).state()).isEqualTo(WorkState.DONE);
    assertThat(links.get(EntityType.USER, newHire)).map(Link::fulcrumId).contains(inFulcrum(ADA).id());
  }

  /** The member the admin invited by hand for the new hire, and the new hire's SCIM id. */
  private record NewHire(FulcrumMember member, String scimId) {}

  /**
   * users.adopt_existing: true. Ada's adopt-and-remove of the member invited by hand ({@code byHand})
   * is HELD; an admin removes that member by hand instead of approving. 60 days later her address
   * goes to a new hire, whom the admin invites by hand and Okta pushes (it waits for Ada's row); then
   * the operator approves the removal held for Ada.
   */
  private NewHire heldRemovalApprovedAfterItsMemberWasRemovedByHandAndTheAddressGivenToANewHire(FulcrumMember byHand) {
    NewHire newHire = removedByHandThenTheAddressGivenToANewHire(byHand, Duration.ofDays(60));
    h.guard.approveHeld(h.queue, h.guard.held());
    h.runOnce();
    return newHire;
  }

  /**
   * Ada's member {@code byHand} removed by hand; {@code later}, her address goes to a new hire, whom
   * an admin invites by hand and Okta pushes; one cycle runs.
   */
  private NewHire removedByHandThenTheAddressGivenToANewHire(FulcrumMember byHand, Duration later) {
    h.http.deleteMember(byHand.id(), null);
    h.clock.tick(later);
    FulcrumMember hers = h.http.createMember(new MemberFields(ADA, "Adeline", "Byron", null));
    changedOnPurpose.add(hers.id());
    String newHire = h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    h.runOnce();
    return new NewHire(hers, newHire);
  }

  /**
   * The approval covers the member Ada's hold named, so it does not remove the new hire's own
   * account: Ada's row is held again, naming both members (review-s8b F4). The new hire's wait names
   * the member Ada's plan would remove.
   */
  @Test
  void approvingAHeldRemovalWhoseMemberWasRemovedByHandDoesNotRemoveTheNewHiresOwnMember() {
    FulcrumMember byHand = adaInvitedAgainByHandThenDeactivated(true);
    NewHire newHire = heldRemovalApprovedAfterItsMemberWasRemovedByHandAndTheAddressGivenToANewHire(byHand);
    h.clock.tick(Reconciler.OPERATOR_WAIT.multipliedBy(2));
    h.runOnce();

    assertThat(h.fulcrum.member(newHire.member().id())).as("the new hire's own member").isPresent();
    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.HELD);
    assertThat(row.lastError()).contains("user/" + ada).contains("Fulcrum member " + byHand.id())
        .contains("Fulcrum member " + newHire.member().id());
    assertThat(h.row(ResourceKey.user(newHire.scimId())).lastError()).contains("user/" + ada)
        .contains("Fulcrum member " + newHire.member().id());
  }

  /** Held again for another member, the change removes that member once the operator approves it in turn. */
  @Test
  void aRemovalHeldAgainForAnotherMemberRemovesItOnceThatIsApproved() {
    NewHire newHire = heldRemovalApprovedAfterItsMemberWasRemovedByHandAndTheAddressGivenToANewHire(
        adaInvitedAgainByHandThenDeactivated(true));

    h.guard.approveHeld(h.queue, h.guard.held());
    h.runOnce();

    assertThat(h.fulcrum.member(newHire.member().id())).isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  /**
   * Held again for another member after its approval, Ada's change is set aside (`journal skip`):
   * the approval, given for the member first held on, goes with it rather than outlive the change.
   */
  @Test
  void settingAsideAChangeHeldAgainAfterItsApprovalDropsTheApproval() {
    heldRemovalApprovedAfterItsMemberWasRemovedByHandAndTheAddressGivenToANewHire(adaInvitedAgainByHandThenDeactivated(true));
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);
    assertThat(approvalsOf(ada)).isOne();

    OperatorRequest.Answer answer = new OperatorActions(h.db, h.queue, h.guard, () -> {})
        .skip(ResourceKey.user(ada), h.row(ResourceKey.user(ada)).generation());

    assertThat(answer.exitCode()).as(answer.err()).isEqualTo(ExitCode.OK);
    assertThat(approvalsOf(ada)).isZero();
  }

  /** How many removal approvals the database holds for {@code userId}. */
  private int approvalsOf(String userId) {
    return h.db.read(c -> {
      try (var ps = c.prepareStatement("SELECT COUNT(*) FROM removal_approval WHERE scim_id = ?")) {
        ps.setString(1, userId);
        try (var rs = ps.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    });
  }

  /**
   * The same, with no approval: Ada's HELD row is run again by a later change of hers (Okta deletes
   * her), when the guard no longer holds one removal. Her change stays bound to the member its hold
   * named: it is held again rather than remove the new hire's own account (review-s8b F4).
   */
  @Test
  void aHeldLeaversLaterChangeDoesNotRemoveTheNewHiresOwnMemberOnceTheGuardLetsRemovalsThrough() {
    HeldOnFirst held = heldLeaverWhoseAddressANewHireWasInvitedUnderByHand();

    herDeleteIsHeldAgainLeavingTheNewHiresMember(held);
  }

  /**
   * Held again once (Entra renames the disabled Ada), her change stays bound to the member it was
   * first held on: her delete, once the guard lets removals through, is held again rather than
   * remove the new hire's own account (review-s9a F1: the hold again bound it to that member).
   */
  @Test
  void aLeaverHeldAgainStaysBoundToTheMemberItWasFirstHeldOn() {
    HeldOnFirst held = heldLeaverWhoseAddressANewHireWasInvitedUnderByHand();
    h.okta.set(ada, "email", "ada.old@corp.example");
    h.runOnce();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);

    herDeleteIsHeldAgainLeavingTheNewHiresMember(held);
  }

  /** A change held again with no approval is left out of an approval of everything held (review-s9a F1). */
  @Test
  void approvingEverythingHeldLeavesOutALeaverHeldAgainWithoutAnApproval() {
    HeldOnFirst held = heldLeaverWhoseAddressANewHireWasInvitedUnderByHand();
    h.okta.set(ada, "email", "ada.old@corp.example");
    h.runOnce();

    assertThat(RemovalGuard.heldAgain(h.guard.held())).containsExactly(ada);
    h.guard.approveHeld(h.queue, h.guard.held().stream().filter(x -> !RemovalGuard.heldAgain(h.guard.held()).contains(x.userId())).toList());
    h.runOnce();

    assertThat(h.fulcrum.member(held.hers().id())).as("the new hire's own member").isPresent();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);
  }

  /** Okta deletes Ada once the guard lets a removal through: held again, naming both members, the new hire's left alone. */
  private void herDeleteIsHeldAgainLeavingTheNewHiresMember(HeldOnFirst held) {
    h.okta.deleteUser(ada);
    h.runOnce();

    assertThat(h.fulcrum.member(held.hers().id())).as("the new hire's own member").isPresent();
    assertThat(h.row(ResourceKey.user(ada)).lastError()).contains("on Fulcrum member " + held.byHand().id())
        .contains("Fulcrum member " + held.hers().id());
  }

  /** Ada's change held on the member invited by hand ({@code byHand}), and the new hire's own member ({@code hers}). */
  private record HeldOnFirst(FulcrumMember byHand, FulcrumMember hers) {}

  /**
   * users.adopt_existing: true, the guard at 0/1. Ada, invited again by hand, and Bob are deactivated
   * together: Ada's change is held on her member invited by hand, Bob's approved and done. Then that
   * member is removed by hand, and 60 days later a new hire is invited by hand under Ada's address
   * and pushed by Okta (waiting for Ada).
   */
  private HeldOnFirst heldLeaverWhoseAddressANewHireWasInvitedUnderByHand() {
    start(ReconcileHarness.Options.defaults().withParallelism(1).withGuard(0, 1).withSettings(UserPushTest.adopting()));
    String bob = h.okta.user("bob@corp.example", "Bob", "Builder", null);
    FulcrumMember byHand = invitedAgainByHand(ADA, ADA);
    h.okta.set(ada, "active", 0);
    h.okta.set(bob, "active", 0);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);
    h.guard.approveHeld(h.queue, h.guard.held().stream().filter(held -> held.userId().equals(bob)).toList());
    h.runOnce();
    assertThat(h.row(ResourceKey.user(bob)).state()).isEqualTo(WorkState.DONE);
    h.http.deleteMember(byHand.id(), null);
    h.clock.tick(Duration.ofDays(60));
    FulcrumMember hers = h.http.createMember(new MemberFields(ADA, "Adeline", "Byron", null));
    changedOnPurpose.add(hers.id());
    h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    h.runOnce();
    return new HeldOnFirst(byHand, hers);
  }

  /**
   * The same person pushed again under a new id an hour after the leave (users.adopt_existing:
   * true) takes the member invited by hand over, held removal or not, and Ada's row ends leaving it
   * in place for that user.
   */
  @Test
  void thePersonPushedAgainWithinTheWindowAdoptsTheMemberAndTheLeaverLeavesItInPlace() {
    FulcrumMember byHand = adaInvitedAgainByHandThenDeactivated(true);
    h.clock.tick(Duration.ofHours(1));
    String again = h.okta.userNamed("ada.new", ADA, "Ada", "Lovelace", null);
    h.runOnce();
    h.guard.approveHeld(h.queue, h.guard.held());
    h.settle();

    assertThat(new LinkStore(h.db).get(EntityType.USER, again)).map(Link::fulcrumId).contains(byHand.id());
    assertThat(h.fulcrum.member(byHand.id())).isPresent();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  /**
   * Ada DEAD "still has access" and a new hire given her address 20 days later waiting for her row;
   * the operator does what the new hire's reason says: removes Ada's member by hand, then ends Ada's
   * row with {@code command} (retry, or skip). The new hire's member is made in the cycles that
   * follow, not at its next look an hour later ({@link Reconciler#OPERATOR_WAIT}). {@code meanwhile}:
   * what Okta changes of Ada's after her leave.
   */
  private void newHireWaitingForADeadLeaverGetsItsMemberOnceTheOperator(Runnable meanwhile,
      BiFunction<OperatorActions, ResourceKey, OperatorRequest.Answer> command) {
    FulcrumMember byHand = adaInvitedAgainByHandThenDeactivated(false);
    meanwhile.run();
    h.clock.tick(Duration.ofDays(20));
    String newHire = h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    h.runOnce();
    assertThat(h.row(ResourceKey.user(newHire)).lastError()).contains("waiting for user/" + ada).contains("is DEAD");

    h.http.deleteMember(byHand.id(), null);
    OperatorRequest.Answer answer = command.apply(new OperatorActions(h.db, h.queue, h.guard, () -> {}), ResourceKey.user(ada));
    assertThat(answer.exitCode()).as(answer.err()).isEqualTo(ExitCode.OK);
    Instant acted = h.clock.instant();
    h.settle();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.row(ResourceKey.user(newHire)).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, newHire)).map(Link::fulcrumId).contains(inFulcrum(ADA).id());
    assertThat(inFulcrum(ADA).lastName()).isEqualTo("Byron");
    assertThat(Duration.between(acted, h.clock.instant())).as("from the operator's command to the new hire's member")
        .isLessThan(Duration.ofMinutes(1));
  }

  @Test
  void aNewHireWaitingForADeadLeaverGetsItsMemberAtOnceWhenTheOperatorRemovesTheMemberByHandAndRetriesTheLeaver() {
    newHireWaitingForADeadLeaverGetsItsMemberOnceTheOperator(() -> {}, OperatorActions::retry);
  }

  /** As above, Ada's address changed while she was disabled: the new hire has the address she left with. */
  @Test
  void aNewHireWaitingForALeaverWhoseAddressChangedSinceGetsItsMemberAtOnceWhenTheOperatorRetriesTheLeaver() {
    newHireWaitingForADeadLeaverGetsItsMemberOnceTheOperator(() -> {
      h.okta.set(ada, "email", "ada.old@corp.example");
      h.settle();
    }, OperatorActions::retry);
  }

  @Test
  void aNewHireWaitingForADeadLeaverGetsItsMemberAtOnceWhenTheOperatorRemovesTheMemberByHandAndSkipsTheLeaver() {
    newHireWaitingForADeadLeaverGetsItsMemberOnceTheOperator(() -> {},
        (actions, key) -> actions.skip(key, h.row(key).generation()));
  }

  /**
   * Review-s8b F1: Entra renames disabled Ada's address to free it (ada@ to ada.old@). Her member,
   * invited again by hand, still has the address she left with: her deprovisioning stays DEAD
   * naming it, rather than ending done because no member has her new address.
   */
  @Test
  void anAddressChangeOfTheDisabledLeaverDoesNotEndItsDeadDeprovisioningWhileItsPersonKeepsAccess() {
    FulcrumMember byHand = adaInvitedAgainByHandThenDeactivated(false);
    h.clock.tick(Duration.ofDays(1));
    h.okta.set(ada, "email", "ada.old@corp.example"); // Entra frees a disabled user's address
    h.settle();

    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("Fulcrum member " + byHand.id()).contains("still has access");
    assertThat(h.fulcrum.member(byHand.id())).isPresent();
  }

  /** As above, Ada deleted for good after the change of address: her tombstone keeps the address she left with. */
  @Test
  void aLeaverDeletedAfterAnAddressChangeIsStillLookedUpByTheAddressItLeftWith() {
    FulcrumMember byHand = adaInvitedAgainByHandThenDeactivated(false);
    h.clock.tick(Duration.ofDays(1));
    h.okta.set(ada, "email", "ada.old@corp.example"); // Entra frees a disabled user's address
    h.clock.tick(Duration.ofDays(29));
    h.okta.deleteUser(ada);
    h.settle();

    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("Fulcrum member " + byHand.id()).contains("still has access");
  }

  /**
   * Ada's new address is one a member also has (invited by hand under it): the member with the
   * address she left with is still the one her deprovisioning names, not hidden by the other.
   */
  @Test
  void aLeaverGivenAnAddressAnotherMemberHasStillNamesTheMemberItLeftWith() {
    FulcrumMember byHand = adaInvitedAgainByHandThenDeactivated(false);
    FulcrumMember other = h.http.createMember(new MemberFields("ada.old@corp.example", "Ada", "Old", null));
    changedOnPurpose.add(other.id());
    h.clock.tick(Duration.ofDays(1));
    h.okta.set(ada, "email", "ada.old@corp.example"); // Entra frees a disabled user's address
    h.settle();

    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("Fulcrum member " + byHand.id()).doesNotContain(other.id());
  }

  /**
   * users.adopt_existing: true. Ada's removal is HELD; her address is changed while she is disabled,
   * and given to a new hire 120 days later: the new hire waits for Ada's row instead of adopting her
   * account.
   */
  @Test
  void aNewHireGivenTheAddressADisabledLeaverWasRenamedFromDoesNotAdoptTheLeaversAccount() {
    FulcrumMember byHand = adaInvitedAgainByHandThenDeactivated(true);
    h.clock.tick(Duration.ofDays(1));
    h.okta.set(ada, "email", "ada.old@corp.example"); // Entra frees a disabled user's address
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);
    h.clock.tick(Duration.ofDays(120));
    String newHire = h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    h.runOnce();

    assertThat(new LinkStore(h.db).get(EntityType.USER, newHire)).isEmpty();
    assertThat(h.row(ResourceKey.user(newHire)).lastError()).contains("user/" + ada);
    assertThat(h.fulcrum.member(byHand.id())).isPresent();
  }

  /**
   * Review-s8b F2: the member invited again by hand differs from Okta's address in the case of a
   * non-ASCII letter (ZOË@ for zoë@), which the member list matches and SQL's case folding (ASCII
   * only) does not: a new hire given zoë@ still waits for the held leaver.
   */
  @Test
  void aNewHireDoesNotAdoptAHeldLeaversMemberWhoseAddressDiffersInTheCaseOfANonAsciiLetter() {
    invitedAgainByHandThenDeactivated(true, "zoë@corp.example", "ZOË@corp.example");
    h.clock.tick(Duration.ofDays(120));
    String newHire = h.okta.userNamed("zoe.new", "zoë@corp.example", "Zoe", "New", null);
    h.runOnce();

    assertThat(new LinkStore(h.db).get(EntityType.USER, newHire)).isEmpty();
    assertThat(h.row(ResourceKey.user(newHire)).lastError()).contains("user/" + ada).contains("HELD");
  }

  /**
   * Review-s8b F3: Ada's deactivation is DEAD (users.adopt_existing: false); the operator turns
   * adopt_existing on and sets her change aside (`journal skip`) instead of retrying it. A new hire
   * given her address 120 days later waits for her row, as for a linked leaver set aside, instead of
   * adopting her account at once; its reason says to remove the member by hand (resync runs a change
   * set aside again only for a member the bridge manages: review-s8e F2).
   */
  @Test
  void aNewHireDoesNotAdoptTheMemberOfALeaverWhoseChangeAnOperatorSetAside() {
    FulcrumMember byHand = adaInvitedAgainByHandThenDeactivated(false);
    h.restart(UserPushTest.adopting());
    assertThat(h.queue.skip(ResourceKey.user(ada), h.row(ResourceKey.user(ada)).generation())).isTrue();
    h.clock.tick(Duration.ofDays(120));
    String newHire = h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    h.runOnce();

    assertThat(new LinkStore(h.db).get(EntityType.USER, newHire)).isEmpty();
    assertThat(h.row(ResourceKey.user(newHire)).lastError()).contains("user/" + ada).contains("set its change aside")
        .contains("remove it in Fulcrum by hand").contains(byHand.id()).doesNotContain("may be this user's own");
    assertThat(h.fulcrum.member(byHand.id())).isPresent();
  }

  /**
   * Review-s8g F1's set-up: Ada DEAD "still has access" on the member invited by hand again ({@code
   * byHand}), the guard letting one removal through; that member removed by hand without a retry of
   * Ada's row; 20 days later a new hire given her address, invited by hand and pushed by Okta, waits
   * for Ada's row.
   */
  private NewHire deadLeaversMemberRemovedByHandAndTheAddressGivenToANewHire(FulcrumMember byHand) {
    NewHire newHire = removedByHandThenTheAddressGivenToANewHire(byHand, Duration.ofDays(20));
    assertThat(h.row(ResourceKey.user(newHire.scimId())).lastError()).contains("waiting for user/" + ada)
        .contains("is DEAD on Fulcrum member " + byHand.id() + ", not on " + newHire.member().id());
    return newHire;
  }

  /** Ada DEAD on the member invited by hand again (users.adopt_existing: false), the guard at its defaults. */
  private FulcrumMember adaDeadWithTheGuardAtItsDefaults() {
    return invitedAgainByHandThenDeactivated(ReconcileHarness.Options.defaults(), false, ADA, ADA);
  }

  /** `fulcrum-scim journal retry user/ada`, as the operator runs it. */
  private void retryAda() {
    OperatorRequest.Answer answer = new OperatorActions(h.db, h.queue, h.guard, () -> {}).retry(ResourceKey.user(ada));
    assertThat(answer.exitCode()).as(answer.err()).isEqualTo(ExitCode.OK);
  }

  /**
   * Ada DEAD on {@code byHand}, which is removed by hand and her address given to a new hire ({@link
   * #deadLeaversMemberRemovedByHandAndTheAddressGivenToANewHire}); the operator follows the advice of
   * her row: users.adopt_existing turned on, then `journal retry`; one cycle runs.
   */
  private NewHire adaRetriedWithAdoptionAfterANewHireWasGivenTheAddress(FulcrumMember byHand) {
    NewHire newHire = deadLeaversMemberRemovedByHandAndTheAddressGivenToANewHire(byHand);
    h.restart(UserPushTest.adopting());
    retryAda();
    h.runOnce();
    return newHire;
  }

  /**
   * Review-s8g F1: the operator follows the advice of Ada's row (adopt_existing on, then retry it):
   * her change stopped on the member invited by hand, now gone, so the new hire's own member found
   * under the address is held again, naming both (and left out of a plain approve-removals), instead
   * of adopted and removed as hers.
   */
  @Test
  void retryingADeadLeaverWithAdoptionAfterItsMemberWasRemovedByHandHoldsTheNewHiresMemberInsteadOfRemovingIt() {
    FulcrumMember byHand = adaDeadWithTheGuardAtItsDefaults();
    NewHire newHire = adaRetriedWithAdoptionAfterANewHireWasGivenTheAddress(byHand);

    assertThat(h.fulcrum.member(newHire.member().id())).as("the new hire's own member").isPresent();
    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.HELD);
    assertThat(row.lastError()).contains("on Fulcrum member " + byHand.id())
        .contains("now names Fulcrum member " + newHire.member().id());
    assertThat(RemovalGuard.heldAgain(h.guard.held())).as("left out of a plain approve-removals").containsExactly(ada);
  }

  /**
   * As above without adoption: Ada's row ends DEAD again without calling the new hire's member her
   * access, and says how to tell whose it is; it still counts as a deprovisioning kept (its removal flag).
   */
  @Test
  void retryingADeadLeaverAfterItsMemberWasRemovedByHandDoesNotNameTheNewHiresMemberAsTheLeaversAccess() {
    FulcrumMember byHand = adaDeadWithTheGuardAtItsDefaults();
    NewHire newHire = deadLeaversMemberRemovedByHandAndTheAddressGivenToANewHire(byHand);

    retryAda();
    h.runOnce();

    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("stopped on Fulcrum member " + byHand.id())
        .contains("Fulcrum member " + newHire.member().id() + ", not managed by the bridge, is: it may be another person's")
        .contains("journal skip user/" + ada).doesNotContain("still has access");
    assertThat(row.removal()).as("a deprovisioning kept: that member may be Ada's person's, invited again").isTrue();
    assertThat(h.fulcrum.member(newHire.member().id())).isPresent();
  }

  /**
   * Review-s9c F1, probe A: Ada's retried change, held again on the new hire's own member (as above),
   * is set aside with `journal skip`, as both reasons say to if that member is the new hire's.
   */
  @Test
  void aLeaverHeldAgainOnTheNewHiresMemberAfterItsRetryIsSetAsideAndTheNewHireGetsItsOwnMember() {
    FulcrumMember byHand = adaDeadWithTheGuardAtItsDefaults();
    NewHire newHire = adaRetriedWithAdoptionAfterANewHireWasGivenTheAddress(byHand);
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);

    theNewHireGetsItsOwnMemberOnceHeldAgainAdaIsSetAside(byHand, newHire);
  }

  /**
   * Review-s9c F1, probe B: Ada's DEAD change set aside on the member invited by hand again, which is
   * removed by hand; 30 days later her address is given to a new hire invited by hand, and Okta
   * deletes Ada before it pushes the new hire: her change, bound to the member it was set aside on,
   * is held again on the new hire's and set aside again.
   */
  @Test
  void aLeaverSetAsideThenHeldAgainOnTheNewHiresMemberIsSetAsideAgainAndTheNewHireGetsItsOwnMember() {
    FulcrumMember byHand = adaDeadWithTheGuardAtItsDefaults();
    assertThat(h.queue.skip(ResourceKey.user(ada), h.row(ResourceKey.user(ada)).generation())).isTrue();
    h.restart(UserPushTest.adopting());
    h.http.deleteMember(byHand.id(), null);
    h.clock.tick(Duration.ofDays(30));
    FulcrumMember hers = h.http.createMember(new MemberFields(ADA, "Adeline", "Byron", null));
    changedOnPurpose.add(hers.id());
    h.okta.deleteUser(ada);
    h.runOnce();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);
    String newHire = h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    h.runOnce();

    theNewHireGetsItsOwnMemberOnceHeldAgainAdaIsSetAside(byHand, new NewHire(hers, newHire));
  }

  /**
   * Ada's change HELD again on the new hire's own member, bound to {@code byHand}, and the new hire
   * waiting for it: both reasons name the command for either case; the operator sets Ada's change
   * aside (her person keeps access, the answer says), and the new hire adopts its own member at once.
   */
  private void theNewHireGetsItsOwnMemberOnceHeldAgainAdaIsSetAside(FulcrumMember byHand, NewHire newHire) {
    String mine = newHire.member().id();
    assertThat(h.row(ResourceKey.user(ada)).lastError())
        .contains("`fulcrum-scim approve-removals user/" + ada + "` approves the change to " + mine)
        .contains("if " + mine + " is not this user's person's, `fulcrum-scim journal skip user/" + ada
            + "` sets this change aside");
    h.clock.tick(Reconciler.OPERATOR_WAIT.multipliedBy(2));
    h.runOnce();
    assertThat(h.row(ResourceKey.user(newHire.scimId())).lastError()).contains("HELD")
        .contains("stopped first on Fulcrum member " + byHand.id() + ", not on " + mine)
        .contains("`fulcrum-scim journal skip user/" + ada + "` sets the leaver's change aside");

    OperatorRequest.Answer answer = new OperatorActions(h.db, h.queue, h.guard, () -> {})
        .skip(ResourceKey.user(ada), h.row(ResourceKey.user(ada)).generation());
    assertThat(answer.exitCode()).as(answer.err()).isEqualTo(ExitCode.OK);
    assertThat(answer.out()).contains("KEEPS ACCESS");
    h.settle();

    assertThat(new LinkStore(h.db).get(EntityType.USER, newHire.scimId())).map(Link::fulcrumId).contains(mine);
    assertThat(h.fulcrum.member(mine)).as("the new hire's own member").isPresent();
    assertThat(h.row(ResourceKey.user(ada)).heldMember()).as("Ada's binding").isEqualTo(byHand.id());
  }

  /**
   * Review-s8g F2, F3: Ada's DEAD change set aside (`journal skip`) while her member invited by hand
   * was still there; that member removed by hand later, and the address given to a new hire invited
   * by hand: the new hire's own member is not Ada's, and the new hire adopts it (users.adopt_existing)
   * instead of waiting for Ada's set-aside row for good.
   */
  @Test
  void aNewHireDoesNotWaitForALeaverSetAsideOnAnotherMemberThanItsOwn() {
    FulcrumMember byHand = adaInvitedAgainByHandThenDeactivated(false);
    h.restart(UserPushTest.adopting());
    assertThat(h.queue.skip(ResourceKey.user(ada), h.row(ResourceKey.user(ada)).generation())).isTrue();

    NewHire newHire = removedByHandThenTheAddressGivenToANewHire(byHand, Duration.ofDays(120));

    assertThat(h.row(ResourceKey.user(newHire.scimId())).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, newHire.scimId())).map(Link::fulcrumId)
        .contains(newHire.member().id());
  }

  /**
   * Ada DEAD on the member invited by hand again, which is removed by hand and her person invited by
   * hand once more; 20 days later a new hire is given her address (users.adopt_existing). The new
   * hire waits for Ada's DEAD row, as for a held one, although the member under the address is not
   * the one her change stopped on: only an operator can tell whose it is. Not so for a row set aside
   * ({@link #aNewHireDoesNotWaitForALeaverSetAsideOnAnotherMemberThanItsOwn}); here the new hire would
   * adopt Ada's person's account, and a retry of Ada's row would then end done, her access kept unseen.
   */
  @Test
  void aNewHireWaitsForADeadLeaverWhoseMemberUnderTheAddressIsAnotherThanTheOneItStoppedOn() {
    FulcrumMember byHand = adaDeadWithTheGuardAtItsDefaults();
    h.http.deleteMember(byHand.id(), null);
    FulcrumMember again = h.http.createMember(new MemberFields(ADA, "Ada", "Lovelace", null));
    changedOnPurpose.add(again.id());
    h.restart(UserPushTest.adopting());
    h.clock.tick(Duration.ofDays(20));
    String newHire = h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    h.runOnce();

    assertThat(new LinkStore(h.db).get(EntityType.USER, newHire)).isEmpty();
    assertThat(h.row(ResourceKey.user(newHire)).lastError())
        .contains("is DEAD on Fulcrum member " + byHand.id() + ", not on " + again.id());
  }

  /**
   * Review-s8g F5: the member a DEAD row recorded binds that change alone. Ada's row retried to done
   * once her member invited by hand was removed; Okta later reactivates her (the bridge makes her a
   * member) and deactivates her again: that member's removal is not held for another member than the
   * one the old row stopped on.
   */
  @Test
  void aDeadLeaverRetriedToDoneIsBoundAfreshByItsNextRemoval() {
    FulcrumMember byHand = adaDeadWithTheGuardAtItsDefaults();
    h.http.deleteMember(byHand.id(), null);
    retryAda();
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    h.okta.set(ada, "active", 1);
    h.settle();
    assertThat(h.fulcrum.memberByEmail(ADA)).isPresent();

    h.okta.set(ada, "active", 0);
    h.settle();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.fulcrum.memberByEmail(ADA)).isEmpty();
  }

  /**
   * Ada pushed, deactivated and her member removed; a day later Entra frees her address (ada@ to
   * ada.old@); 20 days after that someone else, Adeline {@code familyName}, is invited by hand under it.
   */
  private FulcrumMember adaRemovedThenHerFreedAddressInvitedByHand(ReconcileSettings settings, String familyName) {
    start(ReconcileHarness.Options.defaults().withParallelism(1).withSettings(settings));
    ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    h.okta.set(ada, "active", 0);
    h.settle();
    assertThat(h.fulcrum.memberByEmail(ADA)).isEmpty();
    h.clock.tick(Duration.ofDays(1));
    h.okta.set(ada, "email", "ada.old@corp.example"); // Entra frees a disabled user's address
    h.settle();
    h.clock.tick(Duration.ofDays(20));
    FulcrumMember someoneElse = h.http.createMember(new MemberFields(ADA, "Adeline", familyName, null));
    changedOnPurpose.add(someoneElse.id());
    return someoneElse;
  }

  /**
   * review-s8e F1: the address a leaver left with matters until its deprovisioning is verified.
   * Ada's member removed cleanly, Entra frees her address (ada@ to ada.old@), and a contractor not
   * in Okta is invited by hand under it; Entra's delete of Ada a month later leaves that member be.
   */
  @Test
  void anAddressFreedAfterTheLeaversRemovalIsNotTheLeaversWhenItIsGivenToSomeoneElse() {
    FulcrumMember contractor = adaRemovedThenHerFreedAddressInvitedByHand(UserPushTest.adopting(), "Contractor");
    h.clock.tick(Duration.ofDays(9));
    h.okta.deleteUser(ada);
    h.settle();

    assertThat(h.fulcrum.member(contractor.id())).as("the contractor's unmanaged member").isPresent();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  /** As above without adoption: the new hire's member given the freed address is not reported as Ada's access. */
  @Test
  void anAddressFreedAfterTheLeaversRemovalIsNotReportedAsTheLeaversAccess() {
    FulcrumMember byHand = adaRemovedThenHerFreedAddressInvitedByHand(UserPushTest.DEFAULTS, "Byron");
    h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    h.runOnce();
    h.clock.tick(Duration.ofDays(9));
    h.okta.deleteUser(ada);
    h.settle();

    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.DONE);
    assertThat(row.lastError() == null ? "" : row.lastError()).doesNotContain(byHand.id());
  }
}
