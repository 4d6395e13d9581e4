package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.fulcrum.emulator.CallCounter;
import com.fulcrumscim.journal.DeletedUser;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.Tombstones;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ClientDoubles;
import com.fulcrumscim.testing.ReconcileHarness;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Okta's "Push Users", "Deactivate Users", "Push profile updates" and "Map Roles", end to end. */
class UserPushTest extends EndToEnd {
  static final ReconcileSettings DEFAULTS = ReconcileHarness.Options.defaults().settings();

  static ReconcileSettings adopting() {
    return new ReconcileSettings(true, null, true, Map.of(), "", false, Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(70));
  }

  /** Neither an Okta role nor the default may be given (Owner): a push fails until Okta sends a valid role. */
  static ReconcileHarness.Options noRoleGrantable() {
    return ReconcileHarness.Options.defaults().withSettings(roles(Map.of(), "Owner"));
  }

  static ReconcileSettings roles(Map<String, String> map, String defaultRole) {
    return new ReconcileSettings(false, null, true, map, defaultRole, false, Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(70));
  }

  @Test
  void aPushedUserBecomesOneLinkedMemberWithNamesAndRole() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    h.settle();
    FulcrumMember ada = inFulcrum("ada@corp.example");
    assertThat(ada.firstName()).isEqualTo("Ada");
    assertThat(ada.lastName()).isEqualTo("Lovelace");
    assertThat(ada.roleName()).isEqualTo("Manager");
    assertThat(new LinkStore(h.db).get(com.fulcrumscim.journal.EntityType.USER, id).orElseThrow().fulcrumId()).isEqualTo(ada.id());
    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void reconcilingASettledUserAgainMakesNoCall() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    long before = h.calls();
    h.queue.enqueue(ResourceKey.user(id));
    h.settle();
    assertThat(h.calls()).isEqualTo(before);
  }

  @Test
  void deactivatingRemovesTheMembershipAndReactivatingCreatesItAgain() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.okta.set(id, "active", 0);
    h.settle();
    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).isEmpty();
    assertThat(new LinkStore(h.db).get(com.fulcrumscim.journal.EntityType.USER, id)).isEmpty();
    h.okta.set(id, "active", 1);
    h.settle();
    assertThat(membersIn("ada@corp.example")).isEqualTo(1);
  }

  @Test
  void aDeactivationThatLandsWhileTheCreateRunsIsAppliedInTheSameReconcile() {
    start();
    String[] id = new String[1];
    // Okta unassigns the person while Fulcrum is creating the member: the reconcile's next round
    // plans on what Okta wants now, not on what it read before the call.
    h.restart(afterCreate(h.http, () -> h.okta.set(id[0], "active", 0)));
    id[0] = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.runOnce();
    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).as("removed within the one cycle").isEmpty();
    assertThat(calls("DELETE /api/v2/memberships/{id}.json")).isEqualTo(1);
  }

  @Test
  void deletingAUserRemovesItsMembership() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.okta.deleteUser(id);
    h.settle();
    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).isEmpty();
    assertThat(calls("DELETE /api/v2/memberships/{id}.json")).isEqualTo(1);
  }

  @Test
  void aProfileUpdateSendsOnlyTheChangedField() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.okta.set(id, "family_name", "King");
    h.settle();
    assertThat(inFulcrum("ada@corp.example").lastName()).isEqualTo("King");
    assertThat(calls("PUT /api/v2/memberships/{id}.json")).isEqualTo(1);
    assertThat(new AuditLog(h.db, h.clock).list(null, 10)).filteredOn(e -> e.action().equals("UPDATE_MEMBER"))
        .extracting(AuditEntry::detail).containsExactly("last_name");
  }

  @Test
  void rolesMapTranslatesAndRolesDefaultAppliesToUsersWithoutOne() {
    start(ReconcileHarness.Options.defaults().withSettings(roles(Map.of("admin", "Manager"), "Record Creator")));
    h.okta.user("ada@corp.example", "Ada", "Lovelace", "ADMIN");
    h.okta.user("bob@corp.example", "Bob", "Builder", null);
    h.settle();
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Manager");
    assertThat(inFulcrum("bob@corp.example").roleName()).isEqualTo("Record Creator");
  }

  @Test
  void aRoleChangeSendsTheNewRoleId() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Standard User");
    h.settle();
    h.okta.set(id, "role", "manager");
    h.settle();
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Manager");
  }

  @Test
  void aRoleOktaLeavesOutOfItsPutIsTakenBackToFulcrumsDefaultRoleOnce() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    h.settle();
    h.okta.replaceUser(id, "ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Standard User");
    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(com.fulcrumscim.journal.EntityType.USER, id).orElseThrow().oktaRoleId())
        .as("the bridge holds no role for Okta any more").isNull();
    long before = h.calls();
    h.queue.enqueue(ResourceKey.user(id));
    h.settle();
    assertThat(h.calls()).as("settled: nothing more to take back").isEqualTo(before);
  }

  @Test
  void aRoleOktaClearsWithAPatchIsTakenBackToRolesDefault() {
    start(ReconcileHarness.Options.defaults().withSettings(roles(Map.of(), "Record Creator")));
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    h.settle();
    h.okta.set(id, "role", null);
    h.settle();
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Record Creator");
  }

  @Test
  void aRoleChangedByHandInFulcrumStaysWhenOktaClearsTheRoleItGaveBefore() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    h.settle();
    setRoleByHand("ada@corp.example", "Record Creator"); // the reconciler's copy of the member list still shows Manager
    h.okta.replaceUser(id, "ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Record Creator");
    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void aRoleOktaClearsThatIsAlreadyTheDefaultIsLetGoSoANewRolesDefaultReRolesNobody() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Standard User");
    h.settle();
    h.okta.replaceUser(id, "ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.restart(roles(Map.of(), "Record Creator"));
    h.queue.enqueue(ResourceKey.user(id)); // as the nightly resync does
    h.settle();
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Standard User");
  }

  @Test
  void anUnknownRoleIsDeadAtOnceWithTheValidNamesYetThePersonGetsAMemberWithTheDefaultRole() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Wizard");
    h.settle();
    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.DEAD);
    assertThat(h.row(ResourceKey.user(id)).lastError())
        .contains("'Wizard' is not a Fulcrum role").contains("valid roles: Manager, Record Creator, Standard User");
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Standard User");
  }

  @Test
  void anUnmanagedMemberWithTheEmailIsLeftUntouchedWithoutAdoption() {
    start();
    String id = h.okta.user("taken@corp.example", "Okta", "Name", null);
    h.settle();
    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.DEAD);
    assertThat(h.row(ResourceKey.user(id)).lastError()).contains("does not manage").contains("users.adopt_existing");
    assertThat(membersIn("taken@corp.example")).isEqualTo(1);
  }

  @Test
  void withAdoptionTheExistingMemberIsLinkedAndTakesOktasProfile() {
    changedOnPurpose.add("m-taken");
    start(ReconcileHarness.Options.defaults().withSettings(adopting()));
    String id = h.okta.user("taken@corp.example", "Okta", "Name", null);
    h.settle();
    Link link = new LinkStore(h.db).get(com.fulcrumscim.journal.EntityType.USER, id).orElseThrow();
    assertThat(link.fulcrumId()).isEqualTo("m-taken");
    assertThat(link.origin()).isEqualTo(Action.Link.Origin.ADOPTED);
    assertThat(inFulcrum("taken@corp.example").firstName()).isEqualTo("Okta");
    assertThat(calls("POST /api/v2/memberships.json")).isZero();
  }

  @Test
  void theTokenOwnerIsNeverAdoptedNorRemoved() {
    start(ReconcileHarness.Options.defaults().withSettings(adopting()));
    String owner = h.fulcrum.member(h.fulcrum.ownerMembershipId()).orElseThrow().email();
    String id = h.okta.user(owner.toUpperCase(java.util.Locale.ROOT), "Not", "Me", null);
    h.settle();
    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.SKIPPED);
    assertThat(h.row(ResourceKey.user(id)).lastError()).contains("token's owner");
    h.okta.set(id, "active", 0);
    h.settle();
    assertThat(h.fulcrum.member(h.fulcrum.ownerMembershipId())).isPresent();
    assertThat(calls("DELETE /api/v2/memberships/{id}.json")).isZero();
  }

  @Test
  void tenChangesBeforeARunAreOneCreate() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    for (int i = 0; i < 9; i++) {
      h.okta.set(id, "given_name", "Ada " + i);
    }
    h.settle();
    assertThat(calls("POST /api/v2/memberships.json")).isEqualTo(1);
    assertThat(calls("PUT /api/v2/memberships/{id}.json")).isZero();
    assertThat(inFulcrum("ada@corp.example").firstName()).isEqualTo("Ada 8");
  }

  /**
   * A user deactivated before its first push is not pushed, yet its email is looked for: a member
   * invited by hand with it would keep the access Okta took away. Reads only (the lists a plan
   * needs, cached for every later plan), no write.
   */
  @Test
  void createThenDeactivateBeforeARunReadsButWritesNothing() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.okta.set(id, "active", 0);
    h.settle();
    assertThat(h.fulcrum.calls().all()).extracting(CallCounter.CallCount::endpoint)
        .containsOnly("GET /api/v2/users.json", "GET /api/v2/memberships.json", "GET /api/v2/roles.json");
    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void aCrashBetweenCreateAndLinkIsRecognisedOnReplayWithoutADuplicate() {
    start();
    // The first process dies right after Fulcrum created the member: nothing after the call commits.
    FulcrumClient dying = crashAfterCreate(h.http);
    h.restart(dying);
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.runOnce();
    assertThat(membersIn("ada@corp.example")).isEqualTo(1);
    assertThat(new LinkStore(h.db).get(com.fulcrumscim.journal.EntityType.USER, id)).isEmpty();

    h.restart(h.http);
    h.settle();
    assertThat(membersIn("ada@corp.example")).isEqualTo(1);
    assertThat(calls("POST /api/v2/memberships.json")).isEqualTo(1);
    Link link = new LinkStore(h.db).get(com.fulcrumscim.journal.EntityType.USER, id).orElseThrow();
    assertThat(link.fulcrumId()).isEqualTo(inFulcrum("ada@corp.example").id());
    assertThat(link.origin()).isEqualTo(Action.Link.Origin.CREATED);
  }

  @Test
  void aCrashBetweenCreateAndLinkOfAUserSinceDeletedRemovesWhatItMade() {
    start();
    h.restart(crashAfterCreate(h.http));
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.runOnce();
    h.okta.deleteUser(id);
    h.restart(h.http);
    h.settle();
    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).isEmpty();
  }

  /**
   * A create that timed out while Fulcrum still had it queued: the client gets no answer, the
   * member appears only later (the test lands it). Okta deactivates the user in between.
   */
  @Test
  void anUnansweredCreateThatLandsAfterTheDeactivationIsStillRemoved() {
    start();
    AtomicReference<MemberFields> queuedInFulcrum = new AtomicReference<>();
    h.restart(unansweredCreate(h.http, queuedInFulcrum));
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.runOnce();
    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.RETRYING);
    h.okta.set(id, "active", 0);
    h.clock.tick(Duration.ofSeconds(30)); // the harness's createLandsWithin is 70 s
    h.runOnce();
    assertThat(h.row(ResourceKey.user(id)).state()).as("waits for the create to show").isEqualTo(WorkState.RETRYING);

    h.http.createMember(queuedInFulcrum.get()); // Fulcrum gets round to it
    h.settle();

    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).as("a deprovisioned person").isEmpty();
    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.DONE);
    assertThat(new IntentStore(h.db).all(com.fulcrumscim.journal.EntityType.USER)).isEmpty();
  }

  /**
   * As above, but the create went out long after its intent was written: at a low
   * fulcrum.calls_per_hour the pacer holds a call for its slot (here two minutes), and the window
   * in which the create may still land counts from the call, not from the intent.
   */
  @Test
  void anUnansweredCreateSentLongAfterItsIntentIsWaitedForFromWhenItWasSent() {
    start();
    AtomicReference<MemberFields> queuedInFulcrum = new AtomicReference<>();
    h.restart(replacing(unansweredCreate(h.http, queuedInFulcrum), "createMember", args -> {
      h.clock.tick(Duration.ofMinutes(2)); // waiting for the pacer's slot
      return null;
    }));
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.runOnce();
    h.okta.set(id, "active", 0);
    h.clock.tick(Duration.ofSeconds(30)); // the harness's createLandsWithin is 70 s
    h.runOnce();
    assertThat(h.row(ResourceKey.user(id)).state()).as("waits for the create to show").isEqualTo(WorkState.RETRYING);

    h.http.createMember(queuedInFulcrum.get());
    h.settle();

    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).as("a deprovisioned person").isEmpty();
    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void anUnansweredCreateThatNeverLandsIsForgottenOnceItCannotAnyMore() {
    start();
    h.restart(unansweredCreate(h.http, new AtomicReference<>()));
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.runOnce();
    h.okta.set(id, "active", 0);
    h.settle();

    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.DONE);
    assertThat(new IntentStore(h.db).all(com.fulcrumscim.journal.EntityType.USER)).isEmpty();
    assertThat(calls("POST /api/v2/memberships.json")).isZero();
    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).isEmpty();
  }

  /**
   * Someone invites the person by hand in Fulcrum after the reconciler last read the member list;
   * Okta then assigns the same email. Fulcrum refuses the create (the email is taken): nothing was
   * made, so the member that the next read shows is not the bridge's own.
   */
  /**
   * A person deleted the member in Fulcrum, then Okta changed the user: the update, planned on the
   * copy read before the deletion, meets a 404 while another worker reads the list afresh. The
   * copy this plan used was still the old one, so the key reads again and makes the member anew
   * instead of giving up (a 404 on a fresh copy is what ends a row).
   */
  @Test
  void anUpdateToAMemberDeletedByHandMakesItAgainThoughAnotherWorkerReadTheListMeanwhile() {
    start();
    java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
    String bob = h.okta.user("bob@corp.example", "Bob", "Babbage", null);
    h.restart(replacing(h.http, "updateMember", args -> {
      if (armed.compareAndSet(true, false)) {
        h.wiring().readSide().forget(); // another worker, meanwhile, reads the list afresh
        h.wiring().readSide().plan(ResourceKey.user(bob));
        fired.set(true);
      }
      return null;
    }));
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.http.deleteMember(inFulcrum("ada@corp.example").id(), null);
    h.okta.set(ada, "given_name", "Augusta");
    armed.set(true);
    h.settle();

    assertThat(fired).as("the update was planned on the copy read before the deletion").isTrue();
    assertThat(inFulcrum("ada@corp.example").firstName()).isEqualTo("Augusta");
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void aMemberInvitedByHandAfterTheListWasReadIsNotTakenForTheBridgesOwnCreate() {
    start();
    h.okta.user("bob@corp.example", "Bob", "Builder", null);
    h.settle(); // the member list is cached
    FulcrumMember byHand = h.http.createMember(new MemberFields("eve@corp.example", "Eve", "ByHand", null));
    changedOnPurpose.add(byHand.id());
    String eve = h.okta.user("eve@corp.example", "Eve", "Okta", null);
    h.settle();

    assertThat(new LinkStore(h.db).get(com.fulcrumscim.journal.EntityType.USER, eve)).as("not managed").isEmpty();
    assertThat(h.row(ResourceKey.user(eve)).state()).isEqualTo(WorkState.DEAD);
    assertThat(h.row(ResourceKey.user(eve)).lastError()).contains("that the bridge does not manage");
    assertThat(h.fulcrum.member(byHand.id()).orElseThrow().lastName()).isEqualTo("ByHand");
  }

  @Test
  void aMemberInvitedByHandSurvivesTheDeactivationOfTheOktaUserWhoseCreateFulcrumRefused() {
    start();
    h.okta.user("bob@corp.example", "Bob", "Builder", null);
    h.settle();
    FulcrumMember byHand = h.http.createMember(new MemberFields("eve@corp.example", "Eve", "ByHand", null));
    changedOnPurpose.add(byHand.id());
    String eve = h.okta.user("eve@corp.example", "Eve", "Okta", null);
    h.runOnce(); // 422: the email is taken
    h.okta.set(eve, "active", 0);
    h.settle();

    assertThat(h.fulcrum.member(byHand.id())).as("the member made by hand").isPresent();
    assertThat(new IntentStore(h.db).all(com.fulcrumscim.journal.EntityType.USER)).isEmpty();
  }

  /**
   * A managed member removed by hand and the person invited again by hand: that member is not the
   * bridge's, so a deactivation leaves it, but it does not end DONE as if the person were gone. A
   * delete neither: the deleted user's last email (its tombstone) finds the member.
   */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aMemberInvitedAgainByHandKeepsTheRemovalDeadNamingItAndWhatToDo(Leaving how) {
    start();
    String ada = pushedAda();
    FulcrumMember byHand = invitedAgainByHand("ada@corp.example");
    h.fulcrum.calls().reset(); // the calls above were an admin's
    how.leave(h.okta, ada);
    h.settle();

    deadNaming(ada, byHand).contains("user ada@corp.example: " + how.why).contains("users.adopt_existing: true")
        .contains("journal retry user/" + ada);
    assertThat(h.fulcrum.member(byHand.id()).orElseThrow().lastName()).as("never changed").isEqualTo("ByHand");
    assertThat(calls("DELETE /api/v2/memberships/{id}.json")).isZero();
    assertThat(tombstone(ada).isPresent()).as("a tombstone kept for the retry").isEqualTo(how == Leaving.DELETED);
  }

  /** The operator removes the member made by hand and retries, as the row says: the row is DONE. */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aRemovalDeadOnAMemberInvitedAgainByHandIsDoneOnceTheOperatorRemovedItAndRetried(Leaving how) {
    start();
    String ada = pushedAda();
    FulcrumMember byHand = invitedAgainByHand("ada@corp.example");
    how.leave(h.okta, ada);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DEAD);

    h.http.deleteMember(byHand.id(), null);
    h.queue.revive(ResourceKey.user(ada), WorkState.DEAD);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(com.fulcrumscim.journal.EntityType.USER, ada)).isEmpty();
    assertThat(tombstone(ada).isPresent()).as("kept for resync").isEqualTo(how == Leaving.DELETED);
  }

  /**
   * The user's row was already DEAD on the member invited by hand (a profile change met it); the
   * deactivation revives the row, and it ends DEAD again, now saying that member keeps access; so
   * does a delete after that.
   */
  @Test
  void aDeadRowOnAMemberInvitedAgainByHandRevivedByTheDeactivationOrADeleteEndsDeadAgainNotDone() {
    start();
    String ada = pushedAda();
    FulcrumMember byHand = invitedAgainByHand("ada@corp.example");
    h.okta.set(ada, "family_name", "King");
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).lastError()).contains("does not manage");

    h.okta.set(ada, "active", 0);
    h.settle();
    deadNaming(ada, byHand).contains(Leaving.DEACTIVATED.why);

    h.okta.deleteUser(ada);
    h.settle();
    deadNaming(ada, byHand).contains(Leaving.DELETED.why);
  }

  static Stream<Arguments> leavingWithTheListAgedOrCached() {
    return Stream.of(Leaving.values()).flatMap(how -> Stream.of(Arguments.of(how, false), Arguments.of(how, true)));
  }

  /**
   * users.adopt_existing: the member invited by hand would have been adopted, so it is adopted and
   * removed, whether the cached member list had aged (read anew for the plan) or still showed the
   * removed member (read anew once the removal found that member already gone).
   */
  @ParameterizedTest(name = "{0}, list still cached: {1}")
  @MethodSource("leavingWithTheListAgedOrCached")
  void withAdoptionAMemberInvitedAgainByHandIsAdoptedAndRemoved(Leaving how, boolean listCached) {
    start(ReconcileHarness.Options.defaults().withSettings(adopting()));
    String ada = pushedAda();
    FulcrumMember byHand = listCached ? invitedAgainByHandNow("ada@corp.example") : invitedAgainByHand("ada@corp.example");
    how.leave(h.okta, ada);
    h.settle();

    assertThat(h.fulcrum.member(byHand.id())).as("a deprovisioned person").isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(com.fulcrumscim.journal.EntityType.USER, ada)).isEmpty();
    assertThat(tombstone(ada).isPresent()).as("kept for resync").isEqualTo(how == Leaving.DELETED);
    assertThat(new AuditLog(h.db, h.clock).list(null, 10)).filteredOn(e -> byHand.id().equals(e.fulcrumId()))
        .extracting(AuditEntry::action, AuditEntry::result)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("LINK", "ok"),
            org.assertj.core.groups.Tuple.tuple("REMOVE_MEMBER", "ok"), org.assertj.core.groups.Tuple.tuple("UNLINK", "ok"));
  }

  /**
   * A deleted user's tombstone outlives its removal, as a deactivated user's row does: a member
   * invited again by hand later still has an email to be found by (resync's report).
   */
  @Test
  void aDeletedUsersTombstoneIsKeptOnceItsRemovalIsVerifiedAndWhenItWasNeverPushed() {
    start();
    String pushed = pushedAda();
    h.okta.deleteUser(pushed);
    String never = h.okta.user("bob@corp.example", "Bob", "Builder", null);
    h.okta.deleteUser(never);
    h.settle();

    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).isEmpty();
    assertThat(h.row(ResourceKey.user(pushed)).state()).isEqualTo(WorkState.DONE);
    assertThat(tombstone(pushed)).map(DeletedUser::email).contains("ada@corp.example");
    assertThat(tombstone(never)).map(DeletedUser::email).contains("bob@corp.example");
    List<DeletedUser> kept = h.db.read(c -> new Tombstones().all(c));
    assertThat(kept).as("what resync looks through").extracting(DeletedUser::id).containsExactlyInAnyOrder(pushed, never);
  }

  /**
   * The second actor between the bridge's calls: after the bridge read the member list and before
   * its DELETE, an admin removes the bridge's member and invites the person again by hand. The
   * DELETE answers 404 and the read by id finds the member gone; the list read again finds the one
   * invited by hand, and the row is DEAD naming it instead of DONE.
   */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aMemberInvitedAgainByHandBetweenTheListReadAndTheRemovalKeepsTheRowDead(Leaving how) {
    start();
    String ada = pushedAda();
    AtomicReference<FulcrumMember> byHand = new AtomicReference<>();
    h.restart(replacing(h.http, "deleteMember", args -> {
      if (byHand.get() == null) {
        byHand.set(invitedAgainByHandNow("ada@corp.example"));
      }
      return null; // then the bridge's own DELETE
    }));
    how.leave(h.okta, ada);
    h.settle();

    deadNaming(ada, byHand.get()).contains(how.why);
  }

  /**
   * A member removed by hand and not invited again: the removal that finds it gone costs one list
   * read more than a removal does (the DELETE and the read by id), and no more, then ends DONE.
   */
  @Test
  void aRemovalThatFindsTheMemberAlreadyGoneLooksForANamesakeWithOneListReadOnly() {
    start();
    String ada = pushedAda();
    h.http.deleteMember(inFulcrum("ada@corp.example").id(), null); // by hand; the bridge's list still shows it
    h.fulcrum.calls().reset();
    h.okta.set(ada, "active", 0);
    h.settle();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(calls(FulcrumClient.MEMBER_DELETE)).isEqualTo(1);
    assertThat(calls("GET /api/v2/memberships/{id}.json")).isEqualTo(1);
    assertThat(calls(FulcrumClient.MEMBERS_LIST)).isEqualTo(1);
    assertThat(h.calls()).isEqualTo(3);
  }

  /** Ada pushed: her member made and linked, the member list cached. */
  private String pushedAda() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    return ada;
  }

  /** An admin removes the bridge's member of {@code email} and invites the person again; the cached member list then ages. */
  private FulcrumMember invitedAgainByHand(String email) {
    FulcrumMember byHand = invitedAgainByHandNow(email);
    h.clock.tick(Duration.ofMinutes(10));
    return byHand;
  }

  /** As {@link #invitedAgainByHand}, while the bridge's cached member list still shows the removed member. */
  private FulcrumMember invitedAgainByHandNow(String email) {
    h.http.deleteMember(inFulcrum(email).id(), null);
    return h.http.createMember(new MemberFields(email, "Ada", "ByHand", null));
  }

  /** The row is DEAD naming the member invited by hand, which keeps access; the reason, for more checks. */
  private AbstractStringAssert<?> deadNaming(String ada, FulcrumMember byHand) {
    assertThat(h.fulcrum.member(byHand.id())).as("left to an operator").isPresent();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DEAD);
    return assertThat(h.row(ResourceKey.user(ada)).lastError())
        .contains("member " + byHand.id() + " (" + byHand.email() + "), not managed by the bridge, still has access");
  }

  private Optional<DeletedUser> tombstone(String scimId) {
    return h.db.read(c -> new Tombstones().find(c, scimId));
  }

  /**
   * A create whose answer was lost lands only after the retry has sent a second create, which
   * Fulcrum refuses because the first took the email: the first's member is still the bridge's
   * own, so a deactivation removes it.
   */
  @Test
  void aRefusedCreateAfterAnUnansweredOneLeavesTheFirstCreatesMemberTheBridgesOwn() {
    start();
    AtomicReference<MemberFields> queuedInFulcrum = new AtomicReference<>();
    java.util.concurrent.atomic.AtomicInteger creates = new java.util.concurrent.atomic.AtomicInteger();
    h.restart(replacing(h.http, "createMember", args -> {
      if (creates.incrementAndGet() == 1) {
        queuedInFulcrum.set((MemberFields) args[0]);
        throw new FulcrumException.Unavailable("POST /api/v2/memberships.json", "read timed out", null);
      }
      h.http.createMember(queuedInFulcrum.get()); // Fulcrum gets round to the first just before the second
      return null;
    }));
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    assertThat(creates.get()).isEqualTo(2);
    assertThat(membersIn("ada@corp.example")).isEqualTo(1);

    h.okta.set(id, "active", 0);
    h.settle();
    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).as("a deprovisioned person").isEmpty();
  }

  /**
   * A member list read while the organization changes can miss a member (one leaving an earlier
   * page shifts the next page's first onto a page already read). A deactivated user's member is
   * not taken for gone on such a list: one GET finds it, and it is removed.
   */
  @Test
  void aDeactivatedUsersMemberThatAFreshListMissesIsReadByItsIdAndRemoved() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    String member = inFulcrum("ada@corp.example").id();
    h.restart(replacing(h.http, "members", args ->
        h.http.members().stream().filter(m -> !m.id().equals(member)).toList()));
    h.okta.set(ada, "active", 0);
    h.settle();

    assertThat(h.fulcrum.member(member)).as("a deprovisioned person").isEmpty();
    // one finds it, one confirms the removal
    assertThat(calls("GET /api/v2/memberships/{id}.json")).isEqualTo(2);
  }

  /** The real client, except that its first createMember gets no answer and reaches Fulcrum only when the test sends {@code queued}. */
  static FulcrumClient unansweredCreate(FulcrumClient real, AtomicReference<MemberFields> queued) {
    return replacing(real, "createMember", args -> {
      if (queued.compareAndSet(null, (MemberFields) args[0])) {
        throw new FulcrumException.Unavailable("POST /api/v2/memberships.json", "read timed out", null);
      }
      return null;
    });
  }

  /** The real client, except calls of {@code method} that {@code instead} answers or throws for; its null makes the real call. */
  static FulcrumClient replacing(FulcrumClient real, String method, java.util.function.Function<Object[], Object> instead) {
    return (FulcrumClient) Proxy.newProxyInstance(FulcrumClient.class.getClassLoader(), new Class<?>[] {FulcrumClient.class},
        (proxy, m, args) -> {
          if (ClientDoubles.readsThroughMembers(m)) {
            return InvocationHandler.invokeDefault(proxy, m, args);
          }
          // the member list's first page is a read of the same list (a paused reconciler's probe)
          boolean replaced = m.getName().equals(method) || method.equals("members") && m.getName().equals("readFirstMemberPage");
          Object answer = replaced ? instead.apply(args) : null;
          if (answer != null) {
            return answer;
          }
          try {
            return m.invoke(real, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** A client whose createMember makes the real call, then runs {@code meanwhile} before it answers. */
  static FulcrumClient afterCreate(FulcrumClient real, Runnable meanwhile) {
    return afterCalls(real, Set.of("createMember"), name -> meanwhile.run());
  }

  /** A client whose createMember and createGroup make the real call, then die as the process would. */
  static FulcrumClient crashAfterCreate(FulcrumClient real) {
    return afterCalls(real, Set.of("createMember", "createGroup"), name -> {
      throw new IllegalStateException("simulated crash after " + name + " succeeded");
    });
  }

  /** The real client; after one of {@code methods} succeeded, {@code then} gets its name before the answer. */
  static FulcrumClient afterCalls(FulcrumClient real, Set<String> methods, Consumer<String> then) {
    return (FulcrumClient) Proxy.newProxyInstance(FulcrumClient.class.getClassLoader(), new Class<?>[] {FulcrumClient.class},
        (proxy, method, args) -> {
          if (ClientDoubles.readsThroughMembers(method)) {
            return InvocationHandler.invokeDefault(proxy, method, args);
          }
          Object result;
          try {
            result = method.invoke(real, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
          if (methods.contains(method.getName())) {
            then.accept(method.getName());
          }
          return result;
        });
  }

  @Test
  void aDeactivationWaitingForItsUnansweredCreateToShowStaysARemoval() {
    start();
    AtomicReference<MemberFields> queued = new AtomicReference<>();
    h.restart(unansweredCreate(h.http, queued));
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.runOnce();
    h.okta.set(id, "active", 0);
    h.clock.tick(Duration.ofSeconds(30));
    h.runOnce();

    WorkItem row = h.row(ResourceKey.user(id));
    assertThat(row.state()).as("waits for the create to show").isEqualTo(WorkState.RETRYING);
    assertThat(row.removal()).as("still a removal while it waits (status, alerts, the rate-limit budget)").isTrue();
  }

  /** The create lands, then Fulcrum's member list is rate limited for good (review-s16h F1). */
  @Test
  void aLeaverWhoseCreateLandedLateEndsADeadDeprovisioningUnderEndlessRateLimits() {
    start();
    AtomicReference<MemberFields> queued = new AtomicReference<>();
    AtomicBoolean limited = new AtomicBoolean();
    h.restart(replacing(unansweredCreate(h.http, queued), "members", args -> {
      if (limited.get()) {
        throw new FulcrumException.RateLimited("GET /api/v2/memberships.json", Duration.ofMinutes(1));
      }
      return null;
    }));
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.runOnce();
    h.okta.set(id, "active", 0);
    h.clock.tick(Duration.ofSeconds(30));
    h.runOnce();
    h.http.createMember(queued.get());
    limited.set(true);
    for (int i = 0; i < 40 && h.row(ResourceKey.user(id)).state() != WorkState.DEAD; i++) {
      h.clock.tick(Duration.ofHours(1));
      h.runOnce();
    }

    WorkItem row = h.row(ResourceKey.user(id));
    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).as("the leaver's member landed").isPresent();
    assertThat(row.state()).as("a removal held back past its budget is DEAD").isEqualTo(WorkState.DEAD);
    assertThat(row.removal()).as("and a deprovisioning, alerted on").isTrue();
  }
}
