package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.control.OperatorActions;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.RestoreMarker;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The restore marker on the reconciler: after a restore, a linked member found gone may be a
 * person deprovisioned after the backup, so it is not created again until Okta writes about the
 * user or an operator releases it. The restore itself is simulated here (the link kept, the member
 * gone); RestoreCommandTest restores a real backup.
 */
class RestoreHoldTest extends EndToEnd {
  static final String ADA = "ada@corp.example";
  String ada;
  ResourceKey key;

  /** Ada pushed and linked; then the state a restore leaves: her link kept, her member gone from Fulcrum. */
  @BeforeEach
  void adaLinkedThenHerMemberGone() {
    start();
    ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    key = ResourceKey.user(ada);
    h.settle();
    h.http.deleteMember(inFulcrum(ADA).id(), null);
    h.clock.tick(Duration.ofMinutes(10));
  }

  /** A change that makes the reconciler look at Ada again without Okta writing about her (a group of hers changed). */
  void reconcileAda() {
    h.queue.enqueue(key);
    h.settle();
  }

  @Test
  void afterARestoreTheMemberIsNotCreatedAgainAndTheRowIsDeadSayingWhy() {
    RestoreMarker.Mark mark = new RestoreMarker(h.db).mark(h.clock.instant());
    reconcileAda();

    assertThat(membersIn(ADA)).as("invited again").isZero();
    WorkItem row = h.row(key);
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).startsWith(RestoreMarker.HELD).contains("user " + ADA, "restored from a backup at " + mark.at(),
        "fulcrum-scim restore release " + key);
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).as("the stale link stays for the operator").isPresent();
  }

  @Test
  void aUserTheBackupHadNotPushedYetIsHeldTooUntilOktaSendsItAgain() {
    // created just before the backup, not reconciled by then; perhaps pushed and deprovisioned since
    String bea = h.okta.user("bea@corp.example", "Bea", "Baker", null);
    new RestoreMarker(h.db).mark(h.clock.instant());
    h.settle();

    assertThat(membersIn("bea@corp.example")).isZero();
    assertThat(h.row(ResourceKey.user(bea)).lastError()).startsWith(RestoreMarker.HELD)
        .contains("user bea@corp.example (bea@corp.example) is active but has no Fulcrum member");
    h.okta.set(bea, "given_name", "Bea");
    h.settle();
    assertThat(membersIn("bea@corp.example")).isEqualTo(1);
  }

  /**
   * A round's restore check for a user with no link is made on the round's own read of the user's
   * rows (one read per round, not one more per create): a marker recorded after that read is the
   * next round's to judge.
   */
  @Test
  void aCreatesRestoreCheckJudgesTheMomentItsRoundReadTheUsersRows() {
    String bea = h.okta.user("bea@corp.example", "Bea", "Baker", null);
    ReadSide read = h.wiring().readSide();
    Attempt round = Attempt.planOnly(ResourceKey.user(bea));
    read.observer.user(round);
    new RestoreMarker(h.db).mark(h.clock.instant());

    assertThat(read.plan(round).actions()).extracting(Action::kind).containsExactly(Action.Kind.CREATE_MEMBER);
    assertThat(read.plan(Attempt.planOnly(ResourceKey.user(bea))).isBlocked()).as("the next round's read holds it").isTrue();
  }

  @Test
  void aRetryOfTheDeadRowHoldsItAgain() {
    new RestoreMarker(h.db).mark(h.clock.instant());
    reconcileAda();
    operator().retry(key);
    h.settle();

    assertThat(membersIn(ADA)).isZero();
    assertThat(h.row(key).lastError()).startsWith(RestoreMarker.HELD);
  }

  @Test
  void aChangeOktaSendsAfterTheRestoreCreatesTheMemberAgain() {
    new RestoreMarker(h.db).mark(h.clock.instant());
    reconcileAda();
    h.okta.set(ada, "given_name", "Augusta");
    h.settle();

    assertThat(inFulcrum(ADA).firstName()).isEqualTo("Augusta");
    assertThat(h.row(key).state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void oktaPushingTheUserAgainUnchangedAfterTheRestoreCreatesTheMemberAgain() {
    // re-applying assignments in Okta sends the user as it is: nothing changes, nothing is journaled
    new RestoreMarker(h.db).mark(h.clock.instant());
    reconcileAda();
    h.okta.set(ada, "given_name", "Ada");
    h.settle();

    assertThat(membersIn(ADA)).isEqualTo(1);
    assertThat(h.row(key).state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void aChangeOktaSentBeforeTheRestoreDoesNotCount() {
    h.okta.set(ada, "given_name", "Adda");
    new RestoreMarker(h.db).mark(h.clock.instant());
    reconcileAda();

    assertThat(membersIn(ADA)).isZero();
  }

  @Test
  void aReleasedUserIsCreatedAgainAtOnce() {
    new RestoreMarker(h.db).mark(h.clock.instant());
    reconcileAda();
    assertThat(operator().releaseRestored(key).exitCode()).isZero();
    h.settle();

    assertThat(membersIn(ADA)).isEqualTo(1);
  }

  @Test
  void releasingEveryoneEndsTheRestoreForUsersNoPlanHasFoundYet() {
    new RestoreMarker(h.db).mark(h.clock.instant());
    assertThat(operator().releaseRestored(null).exitCode()).isZero();
    reconcileAda();

    assertThat(membersIn(ADA)).isEqualTo(1);
    assertThat(new RestoreMarker(h.db).current()).isEmpty();
  }

  @Test
  void aNewRestoreForgetsTheReleasesGivenUnderTheLastOne() {
    RestoreMarker marker = new RestoreMarker(h.db);
    marker.release(ada, marker.mark(h.clock.instant()));
    h.clock.tick(Duration.ofDays(1));
    marker.mark(h.clock.instant());
    reconcileAda();

    assertThat(membersIn(ADA)).isZero();
  }

  @Test
  void aReleaseNeedsARecordedRestoreAndAKnownUser() {
    assertThat(operator().releaseRestored(key).err()).contains("no restore is recorded");
    new RestoreMarker(h.db).mark(h.clock.instant());
    assertThat(operator().releaseRestored(ResourceKey.user("nobody")).err()).contains("unknown user user/nobody");
  }

  private OperatorActions operator() {
    return new OperatorActions(h.db, h.queue, h.guard, () -> {});
  }
}
