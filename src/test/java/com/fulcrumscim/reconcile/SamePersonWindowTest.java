package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ReconcileHarness;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A leaving user's member is handed over only to a user that became active with its email (created,
 * or reactivated) within {@link Observer#SAME_PERSON_WINDOW} of the leave, before or after, both
 * times as stored when they happened (review-s4 F1). Ada's removal is HELD by the guard (0/0) while
 * Okta goes on: a later edit of Ada, her hard delete, a long-gone user rehired with her address or
 * an active user given it by an email change must not make a different person her heir once the
 * operator approves. Over the SCIM receiver, so the times are the intake's own.
 */
class SamePersonWindowTest extends EndToEnd {
  static final String ADA = "ada@corp.example";
  private String ada;

  @Test
  void anEditOfTheInactiveLeaverMonthsLaterDoesNotMakeANewHireItsHeir() {
    FulcrumMember m = adaDeactivatedAndHeld();

    h.clock.tick(Duration.ofDays(120));
    h.okta.set(ada, "family_name", "King"); // Entra keeps syncing disabled users in scope
    h.settle();
    h.clock.tick(Duration.ofHours(2));
    String newHire = h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    approvedAndSettled();

    assertGetsAMemberOfItsOwn(newHire, m);
  }

  @Test
  void aHardDeleteOfTheLeaverMonthsLaterDoesNotMakeANewHireItsHeir() {
    FulcrumMember m = adaDeactivatedAndHeld();

    h.clock.tick(Duration.ofDays(30));
    h.okta.deleteUser(ada); // Entra: disabled, then deleted for good 30 days later
    h.settle();
    h.clock.tick(Duration.ofHours(2));
    String newHire = h.okta.userNamed("ada.byron", ADA, "Adeline", "Byron", null);
    approvedAndSettled();

    assertGetsAMemberOfItsOwn(newHire, m);
  }

  @Test
  void aLongGoneUserReactivatedWithTheLeaversAddressIsNotItsHeir() {
    start(ReconcileHarness.Options.defaults().withGuard(0, 0));
    String carol = h.okta.userNamed("carol", "carol@corp.example", "Carol", "Byron", null);
    h.settle();
    h.okta.set(carol, "active", 0); // Carol left long ago; her member was removed
    h.settle();
    h.guard.approveHeld(h.queue, h.guard.held());
    h.settle();
    h.clock.tick(Duration.ofDays(700));
    FulcrumMember m = adaDeactivatedAndHeldAfterStart();

    h.clock.tick(Duration.ofDays(90));
    h.okta.replaceUser(carol, ADA, "Carol", "Byron", null); // rehired, active again with the recycled address
    approvedAndSettled();

    assertGetsAMemberOfItsOwn(carol, m);
  }

  /**
   * Bob became active an hour before Ada left, under an address a member invited by hand has (his
   * push DEAD, so he has no link), and Okta gives him Ada's an hour after she left: he is not Ada
   * pushed again, however near the leave the change is.
   */
  @Test
  void anActiveUserGivenTheLeaversAddressIsNotItsHeir() {
    start(ReconcileHarness.Options.defaults().withGuard(0, 0));
    ada = h.okta.userNamed("ada", ADA, "Ada", "Lovelace", null);
    h.settle();
    FulcrumMember m = inFulcrum(ADA);
    h.clock.tick(Duration.ofDays(10));
    String bob = h.okta.userNamed("bob", "taken@corp.example", "Bob", "Builder", null);
    h.clock.tick(Duration.ofHours(1));
    h.okta.set(ada, "active", 0);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);
    assertThat(h.row(ResourceKey.user(bob)).state()).isEqualTo(WorkState.DEAD);

    h.clock.tick(Duration.ofHours(1));
    h.okta.replaceUser(bob, ADA, "Bob", "Builder", null);
    approvedAndSettled();

    assertThat(new LinkStore(h.db).get(EntityType.USER, bob)).map(Link::fulcrumId).isNotEqualTo(Optional.of(m.id()));
    assertThat(h.fulcrum.member(m.id())).as("Ada's own member").isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  /** Carol, long gone, is given Ada's address while still inactive (Entra syncs disabled users), and reactivated hours after Ada left. */
  @Test
  void aLongGoneUserGivenTheLeaversAddressWhileInactiveThenReactivatedIsNotItsHeir() {
    String carol = carolLongGoneThenAdaHeld();
    FulcrumMember m = inFulcrum(ADA);

    h.clock.tick(Duration.ofHours(1));
    assertThat(h.scim().put("/Users/" + carol, ScimTestServer.Bodies.user("carol", ADA, "Carol", "Byron", false)).status())
        .isEqualTo(200);
    h.clock.tick(Duration.ofHours(2));
    h.okta.set(carol, "active", 1);
    approvedAndSettled();

    assertGetsAMemberOfItsOwn(carol, m);
  }

  /** Carol, long gone, is reactivated with Ada's address in one PUT, hours after Ada left. */
  @Test
  void aLongGoneUserReactivatedWithTheLeaversAddressInOneRequestNearTheLeaveIsNotItsHeir() {
    String carol = carolLongGoneThenAdaHeld();
    FulcrumMember m = inFulcrum(ADA);

    h.clock.tick(Duration.ofHours(3));
    assertThat(h.scim().put("/Users/" + carol, ScimTestServer.Bodies.user("carol", ADA, "Carol", "Byron", true)).status())
        .isEqualTo(200);
    approvedAndSettled();

    assertGetsAMemberOfItsOwn(carol, m);
  }

  /** Adeline, a new hire, is staged inactive with the recycled address a month before Ada leaves, and activated hours after. */
  @Test
  void aNewHireStagedInactiveWithTheAddressLongBeforeTheLeaveIsNotItsHeir() {
    start(ReconcileHarness.Options.defaults().withGuard(0, 0));
    ada = h.okta.userNamed("ada", ADA, "Ada", "Lovelace", null);
    h.settle();
    FulcrumMember m = inFulcrum(ADA);
    ScimHttp.Response staged = h.scim().post("/Users", ScimTestServer.Bodies.user("adeline", ADA, "Adeline", "Byron", false));
    assertThat(staged.status()).isEqualTo(201);
    String adeline = staged.json().get("id").asText();
    h.settle();
    h.clock.tick(Duration.ofDays(30));
    h.okta.set(ada, "active", 0);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);

    h.clock.tick(Duration.ofHours(3));
    h.okta.set(adeline, "active", 1);
    approvedAndSettled();

    assertGetsAMemberOfItsOwn(adeline, m);
  }

  /**
   * Okta deactivates Ada and pushes her again under a new id minutes later; the operator approves
   * days after, by when Okta has also edited and then deleted the old user: still the same person.
   */
  @Test
  void aPersonPushedAgainMinutesAfterTheLeaveIsHandedTheMemberWhateverOktaDoesToTheOldUserSince() {
    FulcrumMember m = adaDeactivatedAndHeld();

    h.clock.tick(Duration.ofMinutes(5));
    String again = h.okta.userNamed("ada.new", ADA, "Ada", "Lovelace", null);
    h.runOnce();
    h.clock.tick(Duration.ofDays(3));
    h.okta.set(ada, "family_name", "King");
    h.clock.tick(Duration.ofDays(30));
    h.okta.deleteUser(ada);
    approvedAndSettled();

    assertThat(h.fulcrum.member(m.id())).as("the person's member, never removed").isPresent();
    assertThat(new LinkStore(h.db).get(EntityType.USER, again)).map(Link::fulcrumId).contains(m.id());
    assertThat(h.row(ResourceKey.user(again)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  /** Carol pushed, deactivated and removed; 700 days on, Ada pushed, deactivated, HELD. Returns Carol's id. */
  private String carolLongGoneThenAdaHeld() {
    start(ReconcileHarness.Options.defaults().withGuard(0, 0));
    String carol = h.okta.userNamed("carol", "carol@corp.example", "Carol", "Byron", null);
    h.settle();
    h.okta.set(carol, "active", 0);
    h.settle();
    h.guard.approveHeld(h.queue, h.guard.held());
    h.settle();
    h.clock.tick(Duration.ofDays(700));
    adaDeactivatedAndHeldAfterStart();
    return carol;
  }

  /** Ada pushed, then deactivated, her removal HELD by the guard (0/0); returns her member. */
  private FulcrumMember adaDeactivatedAndHeld() {
    start(ReconcileHarness.Options.defaults().withGuard(0, 0));
    return adaDeactivatedAndHeldAfterStart();
  }

  private FulcrumMember adaDeactivatedAndHeldAfterStart() {
    ada = h.okta.userNamed("ada", ADA, "Ada", "Lovelace", null);
    h.settle();
    FulcrumMember m = inFulcrum(ADA);
    h.okta.set(ada, "active", 0);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);
    return m;
  }

  /** The new user's first reconcile waits for the held removal; `approve-removals`, then every due change runs. */
  private void approvedAndSettled() {
    h.runOnce();
    h.guard.approveHeld(h.queue, h.guard.held());
    h.settle();
  }

  /** {@code user} was not handed Ada's member: that was removed, and the user has one of its own. */
  private void assertGetsAMemberOfItsOwn(String user, FulcrumMember adas) {
    LinkStore links = new LinkStore(h.db);
    assertThat(links.get(EntityType.USER, user)).as("a different person").map(Link::fulcrumId)
        .isNotEqualTo(Optional.of(adas.id()));
    assertThat(h.fulcrum.member(adas.id())).as("Ada's own member").isEmpty();
    assertThat(h.row(ResourceKey.user(user)).state()).isEqualTo(WorkState.DONE);
    assertThat(links.get(EntityType.USER, user)).map(Link::fulcrumId).contains(inFulcrum(ADA).id());
  }
}
