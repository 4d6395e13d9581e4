package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.Tombstones;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ReconcileHarness;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Okta takes Ada away (a deactivation or a SCIM DELETE) and pushes the same person again under a
 * new id, while Ada's own member is already gone from Fulcrum: the member that now has her email
 * is the new user's, not Ada's namesake. Ada's removal is done without touching it, with or
 * without users.adopt_existing, and says whose it is. A member no active user is given is still
 * Ada's namesake: adopted and removed, or the row DEAD naming it.
 */
class NamesakeOfAnotherUserTest extends EndToEnd {
  static final String ADA = "ada@corp.example";
  /** Ada's SCIM id. */
  private String ada;

  static Stream<Arguments> leavingWithAndWithoutAdoption() {
    return Stream.of(Leaving.values()).flatMap(how -> Stream.of(Arguments.of(how, false), Arguments.of(how, true)));
  }

  /** One worker: the leaving user's removal, claimed before other work, is reconciled first. */
  private void start(boolean adopt, boolean guarded) {
    ReconcileHarness.Options options = ReconcileHarness.Options.defaults().withParallelism(1)
        .withSettings(adopt ? UserPushTest.adopting() : UserPushTest.DEFAULTS);
    start(guarded ? options.withGuard(0, 0) : options);
  }

  @ParameterizedTest(name = "{0}, users.adopt_existing: {1}")
  @MethodSource("leavingWithAndWithoutAdoption")
  void aMemberInvitedAgainByHandThatAnActiveUserWithTheEmailIsGivenIsLeftToThatUser(Leaving how, boolean adopt) {
    start(adopt, false);
    FulcrumMember byHand = invitedAgainByHandAndAdaGone(how);
    String again = pushedAgain();
    h.settle();

    doneLeaving(how, byHand, "it belongs to active user/" + again);
    if (adopt) {
      assertThat(new LinkStore(h.db).get(EntityType.USER, again)).get().extracting(Link::fulcrumId).isEqualTo(byHand.id());
    } else {
      assertThat(h.row(ResourceKey.user(again)).lastError()).as("the collision is the new user's")
          .contains("that the bridge does not manage");
    }
  }

  @ParameterizedTest(name = "{0}, users.adopt_existing: {1}")
  @MethodSource("leavingWithAndWithoutAdoption")
  void aMemberAnActiveUsersCreateMadeAndHasNotLinkedYetIsLeftToThatUser(Leaving how, boolean adopt) {
    start(adopt, true);
    String again = pushedAgainWhileAdasRemovalIsHeld(how);
    approve(ada);
    h.settle();

    FulcrumMember made = inFulcrum(ADA);
    doneLeaving(how, made, "it belongs to active user/" + again);
    assertThat(new LinkStore(h.db).get(EntityType.USER, again)).get().satisfies(l -> {
      assertThat(l.fulcrumId()).isEqualTo(made.id());
      assertThat(l.origin()).isEqualTo(Action.Link.Origin.CREATED);
    });
  }

  /** The new user is taken away too before its create was linked: its own removal, not Ada's, removes the member. */
  @ParameterizedTest(name = "{0}, users.adopt_existing: {1}")
  @MethodSource("leavingWithAndWithoutAdoption")
  void aMemberAnotherUsersCreateMadeIsLeftToThatUsersOwnRemoval(Leaving how, boolean adopt) {
    start(adopt, true);
    String again = pushedAgainWhileAdasRemovalIsHeld(how);
    h.okta.set(again, "active", 0);
    h.settle();
    assertThat(h.row(ResourceKey.user(again)).state()).isEqualTo(WorkState.HELD);
    approve(ada);
    h.settle();

    doneLeaving(how, inFulcrum(ADA), "it belongs to user/" + again + ", whose create made it (not linked yet)");
    approve(again);
    h.settle();
    assertThat(h.fulcrum.memberByEmail(ADA)).as("a deprovisioned person").isEmpty();
    assertThat(h.row(ResourceKey.user(again)).state()).isEqualTo(WorkState.DONE);
  }

  /** Only an active user claims an email: one Okta took away as well leaves the member Ada's namesake. */
  @ParameterizedTest(name = "{0}, users.adopt_existing: {1}")
  @MethodSource("leavingWithAndWithoutAdoption")
  void aMemberWhoseEmailOnlyAnInactiveUserAlsoHasIsStillTheLeavingUsersNamesake(Leaving how, boolean adopt) {
    start(adopt, false);
    FulcrumMember byHand = invitedAgainByHandAndAdaGone(how);
    h.okta.set(pushedAgain(), "active", 0);
    h.settle();

    if (adopt) {
      assertThat(h.fulcrum.member(byHand.id())).as("adopted and removed").isEmpty();
      assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    } else {
      assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DEAD);
      assertThat(h.row(ResourceKey.user(ada)).lastError()).contains("member " + byHand.id() + " (" + ADA
          + "), not managed by the bridge, still has access");
    }
  }

  /** Ada pushed: her member made and linked. */
  private void pushedAda() {
    ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
  }

  /** Okta pushes the person again under a new id (a deactivated Ada keeps her userName); returns it. */
  private String pushedAgain() {
    return h.okta.userNamed("ada.lovelace", ADA, "Ada", "Lovelace", null);
  }

  /**
   * Ada pushed; an admin removes her member and invites the person again by hand (the cached member
   * list then ages); then Okta takes Ada away. Returns the member invited by hand.
   */
  private FulcrumMember invitedAgainByHandAndAdaGone(Leaving how) {
    pushedAda();
    h.http.deleteMember(inFulcrum(ADA).id(), null);
    FulcrumMember byHand = h.http.createMember(new MemberFields(ADA, "Ada", "ByHand", null));
    h.clock.tick(Duration.ofMinutes(10));
    how.leave(h.okta, ada);
    return byHand;
  }

  /**
   * Ada pushed; Okta takes her away and the guard holds her removal; an admin removes her member
   * by hand, and Okta pushes the person again under a new id, whose create lands in Fulcrum but
   * dies before its link is written (its intent open). Returns the new user's id.
   */
  private String pushedAgainWhileAdasRemovalIsHeld(Leaving how) {
    pushedAda();
    how.leave(h.okta, ada);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);
    h.http.deleteMember(inFulcrum(ADA).id(), null);
    String again = pushedAgain();
    h.restart(UserPushTest.crashAfterCreate(h.http));
    h.runOnce();
    h.restart(h.http);
    assertThat(new IntentStore(h.db).all(EntityType.USER)).extracting(Intent::scimId).containsExactly(again);
    assertThat(membersIn(ADA)).as("made by the new user's create").isEqualTo(1);
    return again;
  }

  private void approve(String userId) {
    h.guard.approveHeld(h.queue, h.guard.held().stream().filter(held -> held.userId().equals(userId)).toList());
  }

  /**
   * Ada's removal is done, her link gone (a deleted Ada's tombstone stays, for resync); {@code kept}
   * untouched, and her UNLINK line says whose it is.
   */
  private void doneLeaving(Leaving how, FulcrumMember kept, String whose) {
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isEmpty();
    assertThat(h.db.read(c -> new Tombstones().find(c, ada)).isPresent()).as("tombstone kept").isEqualTo(how == Leaving.DELETED);
    assertThat(h.fulcrum.member(kept.id())).as("the member the person keeps").isPresent();
    assertThat(new AuditLog(h.db, h.clock).list(null, 100))
        .filteredOn(e -> e.key().equals(ResourceKey.user(ada)) && e.action().equals("UNLINK")).singleElement()
        .satisfies(e -> assertThat(e.detail()).contains("Fulcrum member " + kept.id() + " (" + ADA + ") is left in place: " + whose));
  }
}
