package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.testing.ReconcileHarness;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A person Okta deactivated keeps no managed group while their own removal from the organization
 * does not go: a proxy eating DELETEs (the emulator's deletes_ignored), a DEAD row, a HELD one, one
 * set aside (review-s15a F1). A group gives access, as the organization does.
 */
class LeaverInGroupTest extends EndToEnd {
  private String crewsFulcrumId(String crew) {
    return new LinkStore(h.db).get(EntityType.GROUP, crew).orElseThrow().fulcrumId();
  }

  private List<String> crewMembers(Crew c) {
    return h.fulcrum.group(crewsFulcrumId(c.crew())).orElseThrow().memberIds();
  }

  /** Ada deactivated in Okta while Fulcrum (a proxy) answers DELETEs 204 and removes nothing; nothing run since. */
  private String adaLeavesWhileDeletesAreIgnored(Crew c) {
    String mada = inFulcrum("ada@corp.example").id();
    h.fulcrum.faults().deletesIgnored(true);
    h.okta.set(c.ada(), "active", 0);
    return mada;
  }

  @Test
  void aDeactivatedUserOktaTakesOutOfAGroupLeavesItWhileItsRemovalFromTheOrganizationFails() {
    Crew c = adaAndBobInCrew();
    String mada = adaLeavesWhileDeletesAreIgnored(c);
    h.okta.setGroup(c.crew(), "Crew", List.of(c.bob()));

    h.runOnce();
    h.runOnce();

    assertThat(h.row(ResourceKey.user(c.ada())).state()).isEqualTo(WorkState.RETRYING);
    assertThat(h.fulcrum.member(mada)).as("still in the organization: the DELETE was eaten").isPresent();
    assertThat(crewMembers(c)).as("but out of the managed group").containsExactly(inFulcrum("bob@corp.example").id());
    assertThat(h.row(ResourceKey.group(c.crew())).state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void aDeactivatedUserOktaStillListsLeavesTheGroupOnceItsRemovalFails() {
    Crew c = adaAndBobInCrew();
    adaLeavesWhileDeletesAreIgnored(c);

    h.runOnce();
    h.runOnce();

    assertThat(h.row(ResourceKey.user(c.ada())).state()).isEqualTo(WorkState.RETRYING);
    assertThat(crewMembers(c)).containsExactly(inFulcrum("bob@corp.example").id());
  }

  @Test
  void aDeactivationThatGoesCostsNoGroupCall() {
    Crew c = adaAndBobInCrew();
    long before = calls("POST /api/v2/groups/change_permissions.json");
    h.okta.set(c.ada(), "active", 0);
    h.okta.setGroup(c.crew(), "Crew", List.of(c.bob()));
    h.settle();

    assertThat(calls("POST /api/v2/groups/change_permissions.json")).as("her DELETE takes her out of every group")
        .isEqualTo(before);
    assertThat(crewMembers(c)).containsExactly(inFulcrum("bob@corp.example").id());
  }

  /**
   * Ada's removal DEAD (a proxy ate its DELETEs for the whole retry budget), and Ada put back in Crew
   * by hand since, after Crew took her out once her removal first failed.
   */
  private Crew adasRemovalIsDeadAndSheIsBackInCrew() {
    Crew c = adaAndBobInCrew();
    adaLeavesWhileDeletesAreIgnored(c);
    h.runOnce();
    h.clock.tick(Duration.ofHours(25));
    h.runOnce();
    assertThat(h.row(ResourceKey.user(c.ada())).state()).isEqualTo(WorkState.DEAD);
    h.http.changeGroupMembers(crewsFulcrumId(c.crew()), List.of(inFulcrum("ada@corp.example").id()), List.of());
    return c;
  }

  @Test
  void aLeaverWhoseRemovalIsDeadLeavesTheGroupOktaTakesItOutOf() {
    Crew c = adasRemovalIsDeadAndSheIsBackInCrew();

    h.okta.setGroup(c.crew(), "Crew", List.of(c.bob()));
    h.settle();

    assertThat(crewMembers(c)).containsExactly(inFulcrum("bob@corp.example").id());
  }

  @Test
  void aLeaverWhoseRemovalWasSetAsideLeavesTheGroupOktaTakesItOutOf() {
    Crew c = adasRemovalIsDeadAndSheIsBackInCrew();
    assertThat(h.queue.skip(ResourceKey.user(c.ada()), h.row(ResourceKey.user(c.ada())).generation())).isTrue();

    h.okta.setGroup(c.crew(), "Crew", List.of(c.bob()));
    h.settle();

    assertThat(crewMembers(c)).containsExactly(inFulcrum("bob@corp.example").id());
  }

  /**
   * Ada's removal is retrying when Okta takes Bob and her out of Crew; her retried DELETE lands
   * between the lists Crew's plan was made on and its change, which Fulcrum then refuses whole (it no
   * longer knows her id). The group is planned anew on lists read again in the same reconcile: Bob
   * leaves, and the row is DONE, no attempt spent.
   */
  @Test
  void aLeaversDeleteLandingBetweenTheGroupsPlanAndItsChangeLosesNothing() {
    Crew c = adaAndBobInCrew();
    String ada = c.ada();
    String crew = c.crew();
    String cy = h.okta.user("cy@corp.example", "Cy", "Young", null);
    h.okta.setGroup(crew, "Crew", List.of(ada, c.bob(), cy));
    h.settle();
    String mada = adaLeavesWhileDeletesAreIgnored(c);
    h.runOnce(); // her removal fails: RETRYING; Crew, which Okta still lists her in, takes her out
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.RETRYING);
    h.fulcrum.faults().deletesIgnored(false);
    h.http.changeGroupMembers(crewsFulcrumId(crew), List.of(mada), List.of()); // back by hand, to be taken out again
    AtomicInteger changes = new AtomicInteger();
    h.restart(UserPushTest.replacing(h.http, "changeGroupMembers", args -> {
      if (changes.incrementAndGet() == 1) {
        h.http.deleteMember(mada, null); // her retried DELETE, landing just before the call
      }
      return null;
    }));
    h.okta.setGroup(crew, "Crew", List.of(cy));

    h.runOnce();

    assertThat(changes.get()).as("the refused call and the one planned anew").isEqualTo(2);
    assertThat(crewMembers(c)).containsExactly(inFulcrum("cy@corp.example").id());
    assertThat(h.row(ResourceKey.group(crew))).satisfies(row -> {
      assertThat(row.state()).isEqualTo(WorkState.DONE);
      assertThat(row.attempts()).isZero();
    });
  }

  private static final String MEMBER_DELETE = "DELETE /api/v2/memberships/{id}.json";

  /**
   * Ada deactivated in Okta while Fulcrum answers every DELETE of a member 429 (a rate limit that
   * outlasts the retry budget): Crew looks first, her removal queued a second longer, and leaves her
   * to it; then her removal runs alone and is held back. Run together in one cycle, her held-back
   * outcome could commit before Crew's plan read her row: Crew then took her out itself, that call
   * was held back by the client's pause after her 429, and Crew's budget started, to run out in the
   * day the tests skip (review-s17a F1). Returns her member.
   */
  private String adaLeavesWhileHerRemovalIsRateLimited(Crew c) {
    String mada = inFulcrum("ada@corp.example").id();
    h.fulcrum.faults().rateLimitBurstOn(MEMBER_DELETE, 1_000_000);
    h.okta.set(c.ada(), "active", 0);
    adasRemovalDueIn(c, Duration.ofSeconds(1));
    h.runOnce();
    assertThat(h.row(ResourceKey.group(c.crew())).state()).as("left to her queued removal").isEqualTo(WorkState.RETRYING);
    h.clock.tick(Duration.ofSeconds(1));
    h.runOnce();
    assertThat(h.row(ResourceKey.user(c.ada())).state()).isEqualTo(WorkState.RETRYING);
    assertThat(crewMembers(c)).as("left to her removal").contains(mada);
    assertThat(h.row(ResourceKey.group(c.crew())).firstFailureAt()).as("Crew waits on her, no budget running").isNull();
    return mada;
  }

  /**
   * A day on: her removal gives up, DEAD, at its next attempt (a cycle that finds the circuit breaker
   * open, or opened by another row's failed call, leaves it to the next).
   */
  private void herRemovalGoesDead(Crew c) {
    h.clock.tick(Duration.ofHours(24).plusMinutes(5));
    for (int cycle = 0; cycle < 10 && h.row(ResourceKey.user(c.ada())).state() != WorkState.DEAD; cycle++) {
      h.runOnce();
      h.clock.tick(Duration.ofMinutes(1));
    }
    assertThat(h.row(ResourceKey.user(c.ada())).state()).isEqualTo(WorkState.DEAD);
  }

  @Test
  void aLeaverWhoseRemovalARateLimitEndsDeadLeavesTheGroupThatLeftHerToIt() {
    Crew c = adaAndBobInCrew();
    String mada = adaLeavesWhileHerRemovalIsRateLimited(c);
    herRemovalGoesDead(c);

    h.fulcrum.faults().clear();
    h.settle();

    assertThat(h.fulcrum.member(mada)).as("DEAD: still in the organization").isPresent();
    assertThat(crewMembers(c)).as("but out of the managed group, no resync").containsExactly(inFulcrum("bob@corp.example").id());
  }

  /** Fulcrum is down when her removal gives up: the read of the groups still listing her fails too. */
  @Test
  void aLeaverWhoseRemovalGoesDeadWhileFulcrumIsDownLeavesTheGroupOnceItIsBack() {
    Crew c = adaAndBobInCrew();
    String mada = adaLeavesWhileHerRemovalIsRateLimited(c);
    h.fulcrum.faults().clear().errorShare(1.0);
    herRemovalGoesDead(c);

    h.clock.tick(Duration.ofHours(1));
    h.fulcrum.faults().clear();
    h.settle();

    assertThat(crewMembers(c)).doesNotContain(mada);
  }

  @Test
  void aGroupThatLeftALeaverToHerRemovalLooksAgainAfterARestart() {
    Crew c = adaAndBobInCrew();
    String mada = adaLeavesWhileHerRemovalIsRateLimited(c);
    h.restart(h.http);
    herRemovalGoesDead(c);

    h.fulcrum.faults().clear();
    h.restart(h.http);
    h.settle();

    assertThat(crewMembers(c)).doesNotContain(mada);
  }

  /**
   * Her removal goes, taking her out of every group: Crew, which left her to it, looks again and
   * finds nothing to do on the lists at hand, which her DELETE updated.
   */
  @Test
  void aGroupThatLeftALeaverToARemovalThatWentLooksAgainAtNoCall() {
    Crew c = adaAndBobInCrew();
    h.okta.set(c.ada(), "active", 0);
    h.runOnce();
    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).isEmpty();
    assertThat(h.row(ResourceKey.group(c.crew())).state()).as("to look again").isEqualTo(WorkState.RETRYING);
    long before = h.calls();

    h.settle();

    assertThat(h.row(ResourceKey.group(c.crew())).state()).isEqualTo(WorkState.DONE);
    assertThat(h.calls()).isEqualTo(before);
  }

  /**
   * The mass-removal guard holds Ada's removal from the organization (an operator decides that);
   * Okta taking her out of one group is that group's change, made at once: it takes no account or
   * record away and is one call to undo, and the guard holds no active person's group removal either.
   */
  @Test
  void aLeaverWhoseRemovalIsHeldLeavesTheGroupsButStaysInTheOrganization() {
    start(ReconcileHarness.Options.defaults().withGuard(0, 0));
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    String bob = h.okta.user("bob@corp.example", "Bob", "Builder", null);
    String crew = h.okta.group("Crew", List.of(ada, bob));
    h.settle();
    Crew c = new Crew(ada, bob, crew);
    h.okta.set(ada, "active", 0);

    h.settle();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);
    assertThat(inFulcrum("ada@corp.example")).as("held: still in the organization").isNotNull();
    assertThat(crewMembers(c)).containsExactly(inFulcrum("bob@corp.example").id());

    h.okta.set(ada, "active", 1);
    h.settle();

    assertThat(crewMembers(c)).as("reactivated: back in the group Okta lists her in")
        .containsExactlyInAnyOrder(inFulcrum("ada@corp.example").id(), inFulcrum("bob@corp.example").id());
  }

  /** Ada's row (her queued removal) is due {@code in} from now. */
  private void adasRemovalDueIn(Crew c, Duration in) {
    h.db.write(conn -> {
      try (PreparedStatement ps = conn.prepareStatement(
          "UPDATE work SET next_attempt_at = ? WHERE entity_type = 'USER' AND entity_id = ?")) {
        ps.setLong(1, h.clock.millis() + in.toMillis());
        ps.setString(2, c.ada());
        return ps.executeUpdate();
      }
    });
  }

  /** Ada deactivated in Okta, her removal queued behind a long queue (due in two hours). Returns her member. */
  private String adaLeavesBehindALongQueue(Crew c) {
    String mada = inFulcrum("ada@corp.example").id();
    h.okta.set(c.ada(), "active", 0);
    adasRemovalDueIn(c, Duration.ofHours(2));
    return mada;
  }

  /** Ada's queued removal is due now (it waited behind the long queue). */
  private void adasRemovalComesUp(Crew c) {
    adasRemovalDueIn(c, Duration.ZERO);
  }

  /**
   * Crew left Ada to her queued removal and waits; her removal goes, and her outcome wakes Crew at
   * once: it ends DONE, its removal flag down, with no time passing (it waited out the whole wait).
   * {@code oktaTakesHerOut}: Okta takes her out of Crew as it deactivates her (her groups in Okta no
   * longer name Crew: the group list at hand when her member was removed does).
   */
  private void aGroupWaitingOnALeaverEndsAsHerRemovalGoes(boolean oktaTakesHerOut) {
    Crew c = adaAndBobInCrew();
    String mada = adaLeavesBehindALongQueue(c);
    h.okta.setGroup(c.crew(), "Crew", oktaTakesHerOut ? List.of(c.bob()) : List.of(c.ada(), c.bob()));
    h.groupChangesSettle();
    h.runOnce();
    assertThat(h.row(ResourceKey.group(c.crew()))).satisfies(row -> {
      assertThat(row.state()).as("left to her removal").isEqualTo(WorkState.RETRYING);
      assertThat(row.removal()).isTrue();
    });
    assertThat(crewMembers(c)).contains(mada);
    adasRemovalComesUp(c);

    h.runOnce();
    assertThat(h.row(ResourceKey.user(c.ada())).state()).isEqualTo(WorkState.DONE);
    h.runOnce();

    assertThat(h.row(ResourceKey.group(c.crew()))).satisfies(row -> {
      assertThat(row.state()).isEqualTo(WorkState.DONE);
      assertThat(row.removal()).isFalse();
      assertThat(row.attempts()).isZero();
    });
    assertThat(crewMembers(c)).containsExactly(inFulcrum("bob@corp.example").id());
  }

  @Test
  void aGroupWaitingOnALeaverOktaStillListsInItEndsAsHerRemovalGoes() {
    aGroupWaitingOnALeaverEndsAsHerRemovalGoes(false);
  }

  @Test
  void aGroupWaitingOnALeaverOktaTookOutOfItEndsAsHerRemovalGoes() {
    aGroupWaitingOnALeaverEndsAsHerRemovalGoes(true);
  }

  /**
   * Crew waits on Ada's queued removal, which then fails (a proxy eats the DELETE): her outcome
   * wakes Crew, which takes her out itself at once, though Fulcrum's group list cannot be read to
   * find it (the read that failing outcome makes for the groups still listing her).
   */
  @Test
  void aGroupWaitingOnALeaverTakesHerOutAsHerRemovalFails() {
    Crew c = adaAndBobInCrew();
    String mada = adaLeavesBehindALongQueue(c);
    h.okta.setGroup(c.crew(), "Crew", List.of(c.ada(), c.bob()));
    h.groupChangesSettle();
    h.runOnce();
    assertThat(h.row(ResourceKey.group(c.crew())).state()).as("left to her removal").isEqualTo(WorkState.RETRYING);
    h.fulcrum.faults().deletesIgnored(true);
    adasRemovalComesUp(c);
    AtomicInteger groupReads = new AtomicInteger();
    h.restart(UserPushTest.replacing(h.http, "groups", args -> {
      if (groupReads.incrementAndGet() == 1) {
        throw new FulcrumException.Unavailable("GET /api/v2/groups.json", "Fulcrum answered 503", null);
      }
      return null;
    }));

    h.runOnce();
    assertThat(h.row(ResourceKey.user(c.ada())).state()).isEqualTo(WorkState.RETRYING);
    h.runOnce();

    assertThat(h.fulcrum.member(mada)).as("still in the organization: the DELETE was eaten").isPresent();
    assertThat(crewMembers(c)).containsExactly(inFulcrum("bob@corp.example").id());
    assertThat(h.row(ResourceKey.group(c.crew())).state()).isEqualTo(WorkState.DONE);
  }

  /**
   * Okta renames Crew to a name Fulcrum refuses as it deactivates Ada: Crew leaves her to her queued
   * removal and ends DEAD on the rename. Nothing takes her out of Crew should her removal not go, so
   * the row is a deprovisioning given up on (DEPROVISIONING DEAD, the critical alert), not a plain DEAD.
   */
  @Test
  void aGroupEndingDeadWhileALeaverIsLeftToHerRemovalIsADeadDeprovisioning() {
    Crew c = adaAndBobInCrew();
    h.restart(UserPushTest.replacing(h.http, "renameGroup", args -> {
      throw new FulcrumException.Rejected("PUT /api/v2/groups/{id}.json", 422, "name is not allowed");
    }));
    String mada = adaLeavesBehindALongQueue(c);
    h.okta.setGroup(c.crew(), "Crew renamed", List.of(c.ada(), c.bob()));
    h.groupChangesSettle();

    h.runOnce();

    assertThat(crewMembers(c)).as("left to her removal").contains(mada);
    assertThat(h.row(ResourceKey.group(c.crew()))).satisfies(row -> {
      assertThat(row.state()).isEqualTo(WorkState.DEAD);
      assertThat(row.removal()).isTrue();
    });
  }

  /**
   * Crew waits on Ada's queued removal, then Fulcrum is down for longer than the retry budget: Crew's
   * last attempts made no plan, and its DEAD is still a deprovisioning given up on.
   */
  @Test
  void aGroupWaitingOnALeaverThatAnOutageEndsDeadIsADeadDeprovisioning() {
    Crew c = adaAndBobInCrew();
    adaLeavesBehindALongQueue(c);
    h.okta.setGroup(c.crew(), "Crew", List.of(c.ada(), c.bob()));
    h.runOnce();
    assertThat(h.row(ResourceKey.group(c.crew())).state()).as("waiting").isEqualTo(WorkState.RETRYING);

    h.fulcrum.faults().errorShare(1.0);
    for (int hour = 0; hour < 30; hour++) {
      h.clock.tick(Duration.ofHours(1));
      h.runOnce();
    }

    assertThat(h.row(ResourceKey.group(c.crew()))).satisfies(row -> {
      assertThat(row.state()).isEqualTo(WorkState.DEAD);
      assertThat(row.removal()).isTrue();
    });
  }
}
