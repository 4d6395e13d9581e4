package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ReconcileHarness;
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
}
