package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.resync.Progress;
import com.fulcrumscim.resync.Resync;
import com.fulcrumscim.testing.ReconcileHarness;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * review-s13b F1: Okta gives a managed, linked user the address of a member the bridge does not
 * manage (the seeded taken@corp.example, m-taken, invited by hand long before); Fulcrum refuses it
 * (422, taken) and the user's own member keeps ada@corp.example. Okta then takes the user away, and
 * its own member is removed. The member with the address Fulcrum refused was never this user's: it
 * is not reported as keeping the leaver's access, and not adopted and removed, by a later change of
 * the user nor by resync. The person invited again by hand under the address the user's own member
 * had is still found.
 */
class AddressFulcrumRefusedTest extends EndToEnd {
  static final String ADA = "ada@corp.example";
  static final String TAKEN = "taken@corp.example";

  /** Ada pushed and linked; Okta gives her m-taken's address (DEAD on the 422), then takes her away: her own member removed. */
  private String givenTakenAddressThenLeft(Leaving how) {
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    String own = inFulcrum(ADA).id();
    h.okta.set(ada, "email", TAKEN);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).as("Fulcrum refused the address").isEqualTo(WorkState.DEAD);
    assertThat(h.fulcrum.member(own)).get().extracting(FulcrumMember::email).isEqualTo(ADA);

    how.leave(h.okta, ada);
    h.settle();
    assertThat(h.fulcrum.member(own)).as("her own member removed").isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    h.clock.tick(Duration.ofMinutes(10));
    return ada;
  }

  private Resync resync() {
    return new Resync(h.http, h.db, h.options().settings(), h.clock, h.clock::tick);
  }

  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aMemberWithAnAddressFulcrumRefusedTheLeaverIsNotReportedAsKeepingItsAccess(Leaving how) {
    start();
    String ada = givenTakenAddressThenLeft(how);

    assertThat(resync().dryRun(Progress.NONE).plan()).as("nothing of Ada's left: no drift")
        .noneSatisfy(d -> assertThat(d.key()).isEqualTo("user/" + ada));
    h.queue.enqueue(ResourceKey.user(ada)); // a later change, or resync
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.fulcrum.member("m-taken")).as("left alone").isPresent();
  }

  @ParameterizedTest
  @EnumSource(Leaving.class)
  void withAdoptExistingAMemberWithAnAddressFulcrumRefusedTheLeaverIsNeitherAdoptedNorRemoved(Leaving how) {
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.adopting()));
    String ada = givenTakenAddressThenLeft(how);

    ReconcileWiring path = h.newWiring(h.http);
    try {
      resync().apply(path, Progress.NONE, 0);
    } finally {
      path.loop().close();
    }
    h.queue.enqueue(ResourceKey.user(ada)); // a later change of the deactivated user
    h.settle();
    assertThat(h.fulcrum.member("m-taken")).as("never Ada's").isPresent();
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isEmpty();
  }

  /** The person invited again by hand under the address her own member had: found, the row in front of an operator. */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void thePersonInvitedAgainByHandUnderTheAddressHerMemberHadIsStillFound(Leaving how) {
    start();
    String ada = givenTakenAddressThenLeft(how);
    FulcrumMember byHand = h.http.createMember(new MemberFields(ADA, "Ada", "ByHand", null)); // by hand

    h.queue.enqueue(ResourceKey.user(ada)); // resync, or a later change
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).as("not done: she keeps access").isEqualTo(WorkState.DEAD);
    assertThat(h.row(ResourceKey.user(ada)).lastError()).contains(byHand.id()).contains("still has access")
        .doesNotContain("m-taken");
  }

  /** As above with users.adopt_existing: true: that member is adopted and removed, m-taken is not. */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void withAdoptExistingThePersonInvitedAgainByHandUnderHerOwnAddressIsRemoved(Leaving how) {
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.adopting()));
    String ada = givenTakenAddressThenLeft(how);
    FulcrumMember byHand = h.http.createMember(new MemberFields(ADA, "Ada", "ByHand", null)); // by hand
    changedOnPurpose.add(byHand.id());

    h.queue.enqueue(ResourceKey.user(ada));
    h.settle();
    assertThat(h.fulcrum.member(byHand.id())).as("deprovisioned").isEmpty();
    assertThat(h.fulcrum.member("m-taken")).isPresent();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  /**
   * A link that ended before the user's last leave says nothing of it: Ada removed, then reactivated
   * with m-taken's address (her push fails on that member, never linked again) and deactivated once
   * more is the never-linked leaver whose person may have been invited by hand first: reported.
   */
  @Test
  void aUserLinkedOnlyBeforeItsLastLeaveIsLookedForUnderOktasAddressesAsANeverLinkedOne() {
    start();
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    h.okta.set(ada, "active", 0);
    h.settle();
    assertThat(membersIn(ADA)).isZero();
    h.clock.tick(Duration.ofDays(2));
    h.okta.set(ada, "email", TAKEN);
    h.okta.set(ada, "active", 1);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DEAD);
    h.clock.tick(Duration.ofHours(1));

    h.okta.set(ada, "active", 0);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).as("not done: m-taken may be her, invited by hand").isEqualTo(WorkState.DEAD);
    assertThat(h.row(ResourceKey.user(ada)).lastError()).contains(NeverLinkedNamesakeTest.KEEPS_ACCESS);
  }
}
