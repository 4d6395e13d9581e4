package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ReconcileHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A user Okta deactivates or deletes that the bridge never linked, while a member it does not
 * manage has the user's email: the seeded member taken@corp.example (m-taken), invited by hand
 * before Okta assigned the same email, on which the user's push failed. That person keeps the
 * access Okta took away, so the row stays in front of an operator instead of ending DONE.
 */
class NeverLinkedNamesakeTest extends EndToEnd {
  static final String TAKEN = "taken@corp.example";
  static final String KEEPS_ACCESS = "Fulcrum member m-taken (Taken@corp.example), not managed by the bridge, still has access";

  /** Okta assigns the email of the member made by hand: the push fails on it, DEAD, and the alert on dead rows fires. */
  private String assignedOverTheMemberMadeByHand() {
    String taken = h.okta.user(TAKEN, "Hand", "Made", null);
    h.settle();
    assertThat(h.row(ResourceKey.user(taken)).state()).isEqualTo(WorkState.DEAD);
    return taken;
  }

  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aDeprovisionedUserWhosePushFailedOnAMemberInvitedByHandStaysDeadNamingThatMember(Leaving how) {
    start();
    String taken = assignedOverTheMemberMadeByHand();

    how.leave(h.okta, taken);
    h.settle();

    WorkItem row = h.row(ResourceKey.user(taken));
    assertThat(row.state()).as("not DONE: the person keeps access").isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains(how.why).contains(KEEPS_ACCESS).contains("users.adopt_existing: true")
        .contains("journal retry user/" + taken);
    assertThat(h.fulcrum.member("m-taken")).as("left untouched: not the bridge's").isPresent();
  }

  /** The operator removes the member by hand and retries, as the row says: DONE, and nothing more is called for. */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void onceTheMemberIsRemovedByHandTheRetryEndsTheRowDone(Leaving how) {
    start();
    String taken = assignedOverTheMemberMadeByHand();
    how.leave(h.okta, taken);
    h.settle();
    changedOnPurpose.add("m-taken");
    h.http.deleteMember("m-taken", null); // by hand

    h.queue.revive(ResourceKey.user(taken), WorkState.DEAD); // journal retry
    h.settle();

    assertThat(h.row(ResourceKey.user(taken)).state()).isEqualTo(WorkState.DONE);
  }

  /**
   * The second actor between the list read and the plan: an admin removes the member made by hand
   * while the bridge's cached list still shows it. The plan that would keep the row in front of an
   * operator is confirmed on Fulcrum first, and the row ends DONE.
   */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aMemberRemovedByHandSinceTheListWasReadDoesNotKeepTheRowDead(Leaving how) {
    start();
    String taken = assignedOverTheMemberMadeByHand();
    changedOnPurpose.add("m-taken");
    h.http.deleteMember("m-taken", null); // by hand: the cached list still shows it

    how.leave(h.okta, taken);
    h.settle();

    assertThat(h.row(ResourceKey.user(taken)).state()).isEqualTo(WorkState.DONE);
  }

  /**
   * review-s16a F5: the member is made by hand after the bridge read the member list, moments
   * before Okta assigns the same email, so the bridge's create is sent and Fulcrum answers 422 "has
   * already been taken". Without users.adopt_existing that member is not adopted: the row is DEAD
   * saying whose it is and what to do. When Okta later takes the user away, the member made by hand
   * is reported as keeping access (a DEAD deprovisioning), not left quietly DONE.
   */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aCreateRefusedAsTakenByAMemberMadeByHandSinceTheListWasReadIsNotAdoptedAndItsLeaverKeepsAccess(Leaving how) {
    start();
    h.okta.user("bob@corp.example", "Bob", "Builder", null);
    h.settle(); // the member list is cached
    String eveEmail = "eve@corp.example";
    FulcrumMember byHand = h.http.createMember(new MemberFields(eveEmail, "Eve", "ByHand", null)); // by hand
    changedOnPurpose.add(byHand.id());
    String eve = h.okta.user(eveEmail, "Eve", "Okta", null);
    h.settle();

    assertThat(h.fulcrum.calls().count("POST /api/v2/memberships.json", 422))
        .as("the create went out on the cached list, and Fulcrum refused it").isEqualTo(1);
    assertThat(new LinkStore(h.db).get(EntityType.USER, eve)).as("not adopted").isEmpty();
    WorkItem pushed = h.row(ResourceKey.user(eve));
    assertThat(pushed.state()).isEqualTo(WorkState.DEAD);
    assertThat(pushed.lastError()).contains(eveEmail + " (" + byHand.id() + ") that the bridge does not manage",
        "users.adopt_existing: true", "remove it in Fulcrum", "journal retry user/" + eve, "correct the address in Okta");

    how.leave(h.okta, eve);
    h.settle();

    WorkItem left = h.row(ResourceKey.user(eve));
    assertThat(left.state()).as("not DONE: the person keeps access").isEqualTo(WorkState.DEAD);
    assertThat(left.removal()).as("a deprovisioning kept: counted and alerted as one").isTrue();
    assertThat(left.lastError()).contains(how.why, "Fulcrum member " + byHand.id(), "still has access");
    assertThat(h.fulcrum.member(byHand.id())).as("left untouched: not the bridge's").isPresent();
    assertThat(new LinkStore(h.db).get(EntityType.USER, eve)).isEmpty();
  }

  /**
   * users.adopt_existing: the member would have been adopted had the user stayed active (here the
   * setting came after the push failed), so the deprovisioning adopts and removes it.
   */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void withAdoptionTheMemberWithTheEmailIsAdoptedAndRemoved(Leaving how) {
    start();
    String taken = assignedOverTheMemberMadeByHand();
    changedOnPurpose.add("m-taken");
    h.restart(UserPushTest.adopting());

    how.leave(h.okta, taken);
    h.settle();

    assertThat(h.fulcrum.member("m-taken")).as("a deprovisioned person").isEmpty();
    assertThat(h.row(ResourceKey.user(taken)).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, taken)).isEmpty();
  }

  /**
   * users.adopt_existing, and links lost (an older backup restored, say): Okta deactivates many
   * people whose members the bridge has no link to. Each plan adopts and removes a member, so the
   * guard counts them pending as it counts linked users' removals, and holds every one, not only
   * those after max(minimum, percent) were removed.
   */
  @Test
  void aStormOfNeverLinkedRemovalsIsHeldWhole() {
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.adopting()).withGuard(10, 5));
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String email = "storm" + i + "@corp.example";
      changedOnPurpose.add(h.http.createMember(new MemberFields(email, "Storm", "No. " + i, null)).id()); // by hand
      String user = h.okta.userNamed("storm" + i, email, "Storm", "No. " + i, null);
      h.okta.set(user, "active", 0);
      users.add(user);
    }

    h.settle();

    assertThat(h.fulcrum.members().stream().filter(m -> m.email().startsWith("storm"))).as("nobody removed").hasSize(12);
    assertThat(users).allSatisfy(u -> assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.HELD));
  }
}
