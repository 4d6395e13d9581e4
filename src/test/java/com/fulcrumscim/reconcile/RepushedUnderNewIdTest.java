package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ReconcileHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Okta (or Entra) takes user Ada away, a deactivation or a SCIM DELETE, and pushes the same person
 * again as a new user with her email, while Ada's link still manages her member: both work rows are
 * due together. The member is handed over to the new user (its access, groups and records stay);
 * it is never removed, and the new user never ends DEAD on a link that the hand-over ends. A
 * member another active user manages is still a conflict for an operator, until that user leaves.
 */
class RepushedUnderNewIdTest extends EndToEnd {
  static final String ADA = "ada@corp.example";
  static final String BOB = "bob@corp.example";
  private String ada;
  private String bob;

  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aPersonPushedAgainUnderANewIdKeepsTheirMemberHandedOverToTheNewUser(Leaving how) {
    start();
    ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    FulcrumMember m = inFulcrum(ADA);

    how.leave(h.okta, ada);
    String again = h.okta.userNamed("ada.new", ADA, "Ada", "Lovelace", null);
    h.settle();

    assertThat(h.fulcrum.member(m.id())).as("the person's member, never removed").isPresent();
    assertThat(membersIn(ADA)).isEqualTo(1);
    assertThat(h.row(ResourceKey.user(again)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    LinkStore links = new LinkStore(h.db);
    assertThat(links.get(EntityType.USER, again)).get().extracting(Link::fulcrumId).isEqualTo(m.id());
    assertThat(links.get(EntityType.USER, ada)).isEmpty();
    assertThat(new AuditLog(h.db, h.clock).list(null, 100))
        .filteredOn(e -> e.key().equals(ResourceKey.user(ada)) && e.action().equals("UNLINK")).singleElement()
        .satisfies(e -> assertThat(e.detail()).contains(how.why).contains("handed over to active user/" + again));
    assertThat(new AuditLog(h.db, h.clock).list(null, 100))
        .filteredOn(e -> e.key().equals(ResourceKey.user(again)) && e.action().equals("LINK")).singleElement()
        .satisfies(e -> assertThat(e.detail()).contains("handed over from user/" + ada));
  }

  /**
   * Pushed again with the address in another case of a non-ASCII letter (zoë@ for ZOË@): one address
   * to Fulcrum and the member list, and to the same-person look-up too (the email key, every letter's
   * case folded), so it is that person, handed the leaver's member as one pushed again with an ASCII
   * letter's case changed is.
   */
  @Test
  void aPersonPushedAgainWithTheirEmailInAnotherCaseOfANonAsciiLetterKeepsTheirMember() {
    start();
    String zoe = h.okta.userNamed("zoe", "ZOË@corp.example", "Zoë", "Z", null);
    h.settle();
    FulcrumMember m = inFulcrum("ZOË@corp.example");

    h.okta.set(zoe, "active", 0);
    String again = h.okta.userNamed("zoe.new", "zoë@corp.example", "Zoë", "Z", null);
    h.settle();

    assertThat(h.fulcrum.member(m.id())).as("the leaver's member").isPresent();
    assertThat(new LinkStore(h.db).get(EntityType.USER, again)).map(Link::fulcrumId).contains(m.id());
  }

  @Test
  void aPersonDeactivatedAndPushedAgainIntoAnOktaGroupKeepsThatGroup() {
    start();
    ada = h.okta.userNamed("ada", ADA, "Ada", "Lovelace", null);
    String crew = h.okta.group("Crew", List.of(ada));
    h.settle();
    FulcrumMember m = inFulcrum(ADA);

    h.okta.set(ada, "active", 0);
    String again = h.okta.userNamed("ada.new", ADA, "Ada", "Lovelace", null);
    h.okta.setGroup(crew, "Crew", List.of(again));
    h.settle();

    assertThat(h.row(ResourceKey.user(again)).state()).isEqualTo(WorkState.DONE);
    assertThat(groupNamed("Crew").memberIds()).contains(m.id());
    assertThat(h.row(ResourceKey.group(crew)).state()).isEqualTo(WorkState.DONE);
  }

  /**
   * Two active users cannot have one email (SCIM refuses it, 409), but a managed member can take
   * another user's email by hand in Fulcrum: Ada's member renamed to Bob's address, then Bob pushed.
   * Returns Ada's member.
   */
  private FulcrumMember adasMemberGivenBobsEmailByHand() {
    start();
    ada = h.okta.userNamed("ada", ADA, "Ada", "Lovelace", null);
    h.settle();
    FulcrumMember m = inFulcrum(ADA);
    h.http.updateMember(m.id(), new MemberFields(BOB, null, null, null));
    h.clock.tick(Duration.ofMinutes(10));
    bob = h.okta.userNamed("bob", BOB, "Bob", "Builder", null);
    h.settle();
    return m;
  }

  @Test
  void aUserWhoseEmailAnActiveUsersMemberHasIsDead() {
    adasMemberGivenBobsEmailByHand();

    assertThat(h.row(ResourceKey.user(bob)).state()).isEqualTo(WorkState.DEAD);
    assertThat(h.row(ResourceKey.user(bob)).lastError())
        .contains("the Fulcrum member " + BOB + " is already managed for SCIM user " + ada);
  }

  /**
   * Ada's member carries Bob's email only because someone changed it by hand: it is still Ada's
   * account, her login, and Bob is another person. Okta deactivating Ada removes it; it is never
   * handed to Bob (review-s2 F1), whatever email it shows.
   */
  @Test
  void aLeaversMemberWhoseEmailWasChangedByHandToAnotherUsersIsRemovedNotHandedOver() {
    FulcrumMember m = adasMemberGivenBobsEmailByHand();

    h.okta.set(ada, "active", 0);
    h.settle();

    assertThat(h.fulcrum.member(m.id())).as("Ada's own member").isEmpty();
    assertThat(new LinkStore(h.db).get(EntityType.USER, bob)).map(Link::fulcrumId).isNotEqualTo(Optional.of(m.id()));
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  /**
   * As above, the leaver's member given by hand an address that Java's equalsIgnoreCase, but not
   * Fulcrum nor the member list, takes for the leaver's own (ivan@ for ıvan@, a dotless ı): still
   * the leaver's account, removed, never handed to the new person Okta pushed with that address.
   */
  @Test
  void aLeaversMemberGivenByHandAnAddressOnlyJavasCaseFoldingTakesForItsOwnIsRemovedNotHandedOver() {
    start();
    String leaver = h.okta.userNamed("ivan.old", "ıvan@corp.example", "Ivan", "Old", null);
    h.settle();
    FulcrumMember m = inFulcrum("ıvan@corp.example");
    h.http.updateMember(m.id(), new MemberFields("ivan@corp.example", null, null, null));
    h.clock.tick(Duration.ofMinutes(10));

    h.okta.set(leaver, "active", 0);
    String other = h.okta.userNamed("ivan", "ivan@corp.example", "Ivan", "New", null);
    h.settle();

    assertThat(h.fulcrum.member(m.id())).as("the leaver's own member").isEmpty();
    assertThat(new LinkStore(h.db).get(EntityType.USER, other)).map(Link::fulcrumId).isNotEqualTo(Optional.of(m.id()));
  }

  /**
   * A user Okta took away whose removal the mass-removal guard held before the person was pushed
   * again: the new user waits for `approve-removals` (hourly, naming it), and does not take the
   * member over itself: while a hold lasts, whoever is given the address could, months later a
   * different person (review-s4 F1). Approved, the leaving user's own reconcile hands it over.
   */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aPersonPushedAgainWhileTheLeavingUsersRemovalIsHeldWaitsForTheApprovalThenIsHandedTheMember(Leaving how) {
    FulcrumMember m = adaLeftAndHeld(how);

    String again = h.okta.userNamed("ada.new", ADA, "Ada", "Lovelace", null);
    h.runOnce();

    assertThat(new LinkStore(h.db).get(EntityType.USER, again)).as("not taken over from the held user").isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);
    assertThat(h.row(ResourceKey.user(again)).lastError()).contains("HELD by the mass-removal guard")
        .contains("`fulcrum-scim approve-removals`");

    h.guard.approveHeld(h.queue, h.guard.held());
    h.settle();

    assertThat(h.fulcrum.member(m.id())).as("the person's member, never removed").isPresent();
    assertThat(new LinkStore(h.db).get(EntityType.USER, again)).map(Link::fulcrumId).contains(m.id());
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isEmpty();
    assertThat(h.row(ResourceKey.user(again)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(new AuditLog(h.db, h.clock).list(null, 100))
        .filteredOn(e -> e.key().equals(ResourceKey.user(ada)) && e.action().equals("UNLINK")).singleElement()
        .satisfies(e -> assertThat(e.detail()).contains(how.why).contains("handed over to active user/" + again));
  }

  /**
   * An operator set the leaving user's DEAD removal aside (`journal skip`): the person pushed again
   * waits, its reason naming the resync that runs that user again; it does not take the member over.
   */
  @Test
  void aPersonPushedAgainAfterTheLeavingUsersRemovalWasSetAsideWaitsNamingTheResync() {
    FulcrumMember m = adaDeactivatedAndDead();
    h.queue.skip(ResourceKey.user(ada), h.row(ResourceKey.user(ada)).generation());

    String again = h.okta.userNamed("ada.new", ADA, "Ada", "Lovelace", null);
    h.runOnce();

    assertThat(new LinkStore(h.db).get(EntityType.USER, again)).isEmpty();
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).map(Link::fulcrumId).contains(m.id());
    assertThat(h.row(ResourceKey.user(again)).lastError()).contains("set its change aside").contains("resync");
  }

  /**
   * The leaving user is DEAD: the person pushed again waits, spending no attempt, its reason naming
   * that row and the command, and looks again only hourly; the command then hands the member over
   * and makes it due at once (review-s2 F2).
   */
  @Test
  void aPersonPushedAgainWhileTheLeavingUserIsDeadWaitsNamingItAndItsRetry() {
    FulcrumMember m = adaDeactivatedAndDead();
    String again = h.okta.userNamed("ada.new", ADA, "Ada", "Lovelace", null);
    h.runOnce();

    WorkItem waiting = h.row(ResourceKey.user(again));
    assertThat(waiting.state()).isEqualTo(WorkState.RETRYING);
    assertThat(waiting.attempts()).isZero();
    assertThat(waiting.lastError()).contains("user/" + ada + " is DEAD").contains("`fulcrum-scim journal retry user/" + ada + "`");
    assertThat(waiting.nextAttemptAt()).as("an hour on, not memberWait")
        .isAfter(h.clock.instant().plus(Reconciler.OPERATOR_WAIT).minusSeconds(1));

    h.queue.revive(ResourceKey.user(ada), WorkState.DEAD); // fulcrum-scim journal retry user/<ada>
    h.runOnce();
    h.runOnce();

    assertThat(new LinkStore(h.db).get(EntityType.USER, again)).map(Link::fulcrumId).contains(m.id());
    assertThat(h.row(ResourceKey.user(again)).state()).isEqualTo(WorkState.DONE);
  }

  /**
   * Bob waits for Ada, whose member has his address by hand and whose removal the guard held: his
   * reason names the hold and `approve-removals`, and once approved the removal makes him due at
   * once, and he gets a member of his own.
   */
  @Test
  void aUserWaitingForAHeldRemovalNamesItAndIsCreatedOnceItIsApproved() {
    start(ReconcileHarness.Options.defaults().withGuard(0, 0));
    ada = h.okta.userNamed("ada", ADA, "Ada", "Lovelace", null);
    h.settle();
    FulcrumMember m = inFulcrum(ADA);
    h.http.updateMember(m.id(), new MemberFields(BOB, null, null, null));
    h.clock.tick(Duration.ofMinutes(10));
    h.okta.set(ada, "active", 0);
    h.settle();
    bob = h.okta.userNamed("bob", BOB, "Bob", "Builder", null);
    h.runOnce();

    WorkItem waiting = h.row(ResourceKey.user(bob));
    assertThat(waiting.state()).isEqualTo(WorkState.RETRYING);
    assertThat(waiting.lastError()).contains("HELD by the mass-removal guard").contains("`fulcrum-scim approve-removals`");
    assertThat(waiting.nextAttemptAt()).as("an hour on, not memberWait")
        .isAfter(h.clock.instant().plus(Reconciler.OPERATOR_WAIT).minusSeconds(1));

    h.guard.approveHeld(h.queue, h.guard.held());
    h.runOnce();
    h.runOnce();

    assertThat(h.fulcrum.member(m.id())).as("Ada's own member").isEmpty();
    assertThat(h.row(ResourceKey.user(bob)).state()).isEqualTo(WorkState.DONE);
    assertThat(inFulcrum(BOB).id()).isNotEqualTo(m.id());
  }

  /** Bob, DEAD on Ada's member (his address by hand), gets his own member once Okta deactivates Ada and it is removed (review-rec F7). */
  @Test
  void aUserDeadOnAnotherUsersMemberIsCreatedOnceThatUserLeavesAndItsMemberIsRemoved() {
    FulcrumMember m = adasMemberGivenBobsEmailByHand();

    h.okta.set(ada, "active", 0);
    h.settle();

    assertThat(h.fulcrum.member(m.id())).isEmpty();
    assertThat(h.row(ResourceKey.user(bob)).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, bob)).map(Link::fulcrumId).contains(inFulcrum(BOB).id());
  }

  /**
   * As above, Ada's member given Bob's address by hand in another case of a non-ASCII letter (ZOË@
   * for zoë@), which the member list matches to Bob and SQL's case folding (ASCII letters) does not
   * (review-s13b F4): Bob is made due when the member is removed, not left DEAD naming Ada.
   */
  @Test
  void aUserDeadOnAnotherUsersMemberUnderANonAsciiCaseOfItsEmailIsCreatedOnceThatUserLeaves() {
    start();
    ada = h.okta.userNamed("ada", ADA, "Ada", "Lovelace", null);
    h.settle();
    FulcrumMember m = inFulcrum(ADA);
    h.http.updateMember(m.id(), new MemberFields("ZOË@corp.example", null, null, null));
    h.clock.tick(Duration.ofMinutes(10));
    String zoe = h.okta.userNamed("zoe", "zoë@corp.example", "Zoë", "Z", null);
    h.settle();
    assertThat(h.row(ResourceKey.user(zoe)).lastError()).contains("is already managed for SCIM user " + ada);

    h.okta.set(ada, "active", 0);
    h.settle();

    assertThat(h.fulcrum.member(m.id())).isEmpty();
    assertThat(h.row(ResourceKey.user(zoe)).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, zoe)).map(Link::fulcrumId).contains(inFulcrum("zoë@corp.example").id());
  }

  /** Bob, DEAD on Ada's member (his address by hand), gets his own member once Ada's member is given her address back (review-rec F7). */
  @Test
  void aUserDeadOnAnotherUsersMemberIsCreatedOnceThatMemberIsGivenItsOwnAddressBack() {
    FulcrumMember m = adasMemberGivenBobsEmailByHand();

    h.okta.set(ada, "given_name", "Augusta"); // Ada's next reconcile puts her address back too
    h.settle();

    assertThat(inFulcrum(ADA).id()).isEqualTo(m.id());
    assertThat(h.row(ResourceKey.user(bob)).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, bob)).map(Link::fulcrumId).contains(inFulcrum(BOB).id());
  }

  /**
   * Applies {@code plan}, a hand-over of Ada's member {@code m} to {@code again} made before the heir
   * changed, to Ada's claimed row: its write reads the heir again and fails with {@code why}, handing
   * nothing over; the row is then handed back and everything settles.
   */
  LinkStore staleHandOverFails(ReadSide read, Plan plan, FulcrumMember m, String again, String why) {
    List<WorkItem> claimed = h.queue.claim(10);
    WorkItem adas = claimed.stream().filter(w -> w.key().equals(ResourceKey.user(ada))).findFirst().orElseThrow();
    Applier applier = new Applier(h.http, h.db, read.observer, new DesiredState(h.db), new LinkStore(h.db),
        new IntentStore(h.db), new AuditLog(h.db, h.clock), h.guard, h.clock);
    assertThatThrownBy(() -> applier.apply(new Attempt(adas.key(), h.queue.stillClaimed(adas)), plan, new ArrayList<>()))
        .hasMessageContaining(why)
        .hasMessageContaining("it is planned again");
    LinkStore links = new LinkStore(h.db);
    assertThat(links.get(EntityType.USER, ada)).map(Link::fulcrumId).contains(m.id());
    assertThat(links.get(EntityType.USER, again)).isEmpty();

    claimed.forEach(h.queue::release);
    h.settle();
    return links;
  }

  /**
   * Okta deactivates the heir after the plan that hands Ada's member over to it and reactivates it
   * two days later, before the plan's write: the heir is active with the member's email again, but
   * no longer active since within a day of Ada's leave (review-s6a F3): the write hands nothing over
   * and fails, to be planned again, and that plan, with no heir, removes the member.
   */
  @Test
  void aHandOverWhoseHeirWasReactivatedDaysAfterTheLeaveSinceThePlanHandsNothingOver() {
    start();
    ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    FulcrumMember m = inFulcrum(ADA);
    h.okta.set(ada, "active", 0);
    String again = h.okta.userNamed("ada.new", ADA, "Ada", "Lovelace", null);
    ReadSide read = h.wiring().readSide();
    Plan plan = read.plan(ResourceKey.user(ada));
    assertThat(plan.actions()).singleElement().isInstanceOf(Action.HandOver.class);

    h.okta.set(again, "active", 0);
    h.clock.tick(Duration.ofDays(2));
    h.okta.set(again, "active", 1);
    LinkStore links = staleHandOverFails(read, plan, m, again, "the heir is no longer the person Okta took away pushed again");
    assertThat(h.fulcrum.member(m.id())).as("Ada's member removed, not handed over").isEmpty();
    assertThat(links.get(EntityType.USER, again)).map(Link::fulcrumId).contains(inFulcrum(ADA).id());
  }

  /**
   * Okta deactivates the heir after the plan that hands Ada's member over to it and before the
   * plan's write: the write reads the heir again, hands nothing over and fails, to be planned again
   * (review-s2 F3), and that plan, with no heir, removes the member. The interleaving has no Fulcrum
   * call to hang on, so the test applies the plan made before the deactivation itself.
   */
  @Test
  void aHandOverWhoseHeirOktaDeactivatedSinceThePlanHandsNothingOver() {
    start();
    ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    FulcrumMember m = inFulcrum(ADA);
    h.okta.set(ada, "active", 0);
    String again = h.okta.userNamed("ada.new", ADA, "Ada", "Lovelace", null);
    ReadSide read = h.wiring().readSide();
    Plan plan = read.plan(ResourceKey.user(ada));
    assertThat(plan.actions()).singleElement().isInstanceOf(Action.HandOver.class);

    h.okta.set(again, "active", 0);
    LinkStore links = staleHandOverFails(read, plan, m, again, "the heir is no longer an active user with the member's email");
    assertThat(h.fulcrum.member(m.id())).as("removed: Okta took both users away").isEmpty();
    assertThat(links.get(EntityType.USER, ada)).isEmpty();
  }

  /**
   * Ada's removal was HELD and nobody acted; months later a new hire, another person, is given her
   * address. Only a user created within {@link Observer#SAME_PERSON_WINDOW} of the leave is Ada
   * pushed again (review-s3 F1): the new hire is not handed her account (login, records, groups,
   * role), waits hourly naming the hold and `approve-removals`, and once approved gets a member of
   * its own, Ada's removed.
   */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aNewUserGivenAHeldLeaversAddressLongAfterIsNotHandedItsMemberAndGetsItsOwnOnceApproved(Leaving how) {
    FulcrumMember m = adaLeftAndHeld(how);

    h.clock.tick(Observer.SAME_PERSON_WINDOW.plusHours(1));
    String newHire = h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    h.runOnce();

    LinkStore links = new LinkStore(h.db);
    assertThat(links.get(EntityType.USER, newHire)).isEmpty();
    assertThat(links.get(EntityType.USER, ada)).map(Link::fulcrumId).contains(m.id());
    assertThat(h.fulcrum.member(m.id())).get().extracting(FulcrumMember::firstName).isEqualTo("Ada");
    assertThat(h.row(ResourceKey.user(ada)).state()).as("still in front of an operator").isEqualTo(WorkState.HELD);
    WorkItem waiting = h.row(ResourceKey.user(newHire));
    assertThat(waiting.state()).isEqualTo(WorkState.RETRYING);
    assertThat(waiting.lastError()).contains("user/" + ada).contains("HELD by the mass-removal guard")
        .contains("`fulcrum-scim approve-removals`");
    assertThat(waiting.nextAttemptAt()).as("an hour on, not memberWait")
        .isAfter(h.clock.instant().plus(Reconciler.OPERATOR_WAIT).minusSeconds(1));

    h.guard.approveHeld(h.queue, h.guard.held());
    h.runOnce();
    h.runOnce();

    assertThat(h.fulcrum.member(m.id())).as("Ada's own member").isEmpty();
    assertThat(h.row(ResourceKey.user(newHire)).state()).isEqualTo(WorkState.DONE);
    assertThat(links.get(EntityType.USER, newHire)).map(Link::fulcrumId).contains(inFulcrum(ADA).id());
    assertThat(inFulcrum(ADA).id()).isNotEqualTo(m.id());
  }

  /**
   * Within {@link Observer#SAME_PERSON_WINDOW} of the leave, a user with Ada's address is still Ada
   * pushed again: once the hold is approved, Ada's own reconcile hands it the member.
   */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aUserGivenAHeldLeaversAddressWithinTheWindowIsHandedTheMemberOnceApproved(Leaving how) {
    FulcrumMember m = adaLeftAndHeld(how);

    h.clock.tick(Observer.SAME_PERSON_WINDOW.minusHours(1));
    String again = h.okta.userNamed("ada.new", ADA, "Ada", "Lovelace", null);
    h.runOnce();
    h.guard.approveHeld(h.queue, h.guard.held());
    h.settle();

    assertThat(new LinkStore(h.db).get(EntityType.USER, again)).map(Link::fulcrumId).contains(m.id());
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  /**
   * Ada is DEAD and nobody acted; months later a new hire is given her address. When the operator
   * retries Ada, her own reconcile removes her member instead of handing it to the new hire
   * (review-s3 F1), which then gets a member of its own.
   */
  @Test
  void aDeadLeaversRetryLongAfterRemovesItsMemberRatherThanHandItToANewUserWithItsAddress() {
    FulcrumMember m = adaDeactivatedAndDead();
    h.clock.tick(Duration.ofDays(120));
    String newHire = h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    h.runOnce();
    assertThat(h.row(ResourceKey.user(newHire)).lastError()).contains("`fulcrum-scim journal retry user/" + ada + "`");

    h.queue.revive(ResourceKey.user(ada), WorkState.DEAD); // fulcrum-scim journal retry user/<ada>
    h.runOnce();
    h.runOnce();

    assertThat(h.fulcrum.member(m.id())).as("Ada's own member").isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.row(ResourceKey.user(newHire)).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, newHire)).map(Link::fulcrumId).contains(inFulcrum(ADA).id());
    assertThat(inFulcrum(ADA).id()).isNotEqualTo(m.id());
  }

  /** Ada pushed, then taken away {@code how}, her removal HELD by the guard (0/0); returns her member. */
  private FulcrumMember adaLeftAndHeld(Leaving how) {
    start(ReconcileHarness.Options.defaults().withGuard(0, 0));
    ada = h.okta.userNamed("ada", ADA, "Ada", "Lovelace", null);
    h.settle();
    FulcrumMember m = inFulcrum(ADA);
    how.leave(h.okta, ada);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);
    return m;
  }

  /** Ada pushed, then deactivated, and her removal DEAD before it ran (why does not matter here); returns her member. */
  private FulcrumMember adaDeactivatedAndDead() {
    start();
    ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    FulcrumMember m = inFulcrum(ADA);
    h.okta.set(ada, "active", 0);
    WorkItem claimed = h.queue.claim(10).stream().filter(w -> w.key().equals(ResourceKey.user(ada))).findFirst().orElseThrow();
    h.queue.dead(claimed, "member removal refused");
    return m;
  }
}
