package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.emulator.DeleteFault;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ReconcileHarness;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user Okta deactivated whose member is still in Fulcrum (its removal held, failing, or set aside
 * by an operator) is a removal whatever queues its row again: claimed ahead of a backlog of creates
 * (a first import at Fulcrum's call budget), or the person keeps access for as long as the backlog takes.
 */
class LeaverClaimedFirstTest {
  @TempDir Path dir;
  ReconcileHarness h;
  String removed;
  String leaver;

  /** Two managed members. */
  @BeforeEach
  void start() {
    h = new ReconcileHarness(dir, guardedToOne());
    removed = h.okta.user("removed@corp.example", "Removed", "Example", null);
    leaver = h.okta.user("leaver@corp.example", "Leaver", "Example", null);
    h.settle();
  }

  /** The guard lets one removal through per hour. */
  static ReconcileHarness.Options guardedToOne() {
    return ReconcileHarness.Options.defaults().withGuard(0, 1);
  }

  @AfterEach
  void stop() {
    h.close();
  }

  /** {@link #removed}'s removal made, then {@link #leaver}'s held by the guard: its member stays in Fulcrum. */
  void leaverHeld() {
    h.okta.set(removed, "active", 0);
    h.settle();
    h.okta.set(leaver, "active", 0);
    h.settle();
    assertThat(h.row(key(leaver)).state()).isEqualTo(WorkState.HELD);
  }

  /** The held removal set aside by an operator (`journal skip`): its link and member stay. */
  void leaverSetAside() {
    leaverHeld();
    assertThat(h.queue.skip(key(leaver), h.row(key(leaver)).generation())).isTrue();
  }

  /** A first import's creates, queued before the change under test: due earlier than it. */
  void backlogOfCreates() {
    for (int i = 0; i < 5; i++) {
      h.okta.user("new-" + i + "@corp.example", "New", "Hire", null);
    }
    h.clock.tick(Duration.ofSeconds(1));
  }

  /** Okta's (and Entra's) profile push of a user it deactivated. */
  void leaverEdited() {
    h.okta.set(leaver, "given_name", "Renamed");
  }

  List<ResourceKey> claimedFirst() {
    return h.queue.claim(1).stream().map(WorkItem::key).toList();
  }

  static ResourceKey key(String userId) {
    return ResourceKey.user(userId);
  }

  @Test
  void anEditOfADeactivatedUserWhoseRemovalWasSetAsideIsClaimedBeforeABacklogOfCreates() {
    leaverSetAside();
    backlogOfCreates();
    leaverEdited();

    assertThat(claimedFirst()).containsExactly(key(leaver));
    assertThat(h.fulcrum.memberByEmail("leaver@corp.example")).as("its member still there").isPresent();
  }

  @Test
  void anEditOfADeactivatedUserWhoseRemovalIsHeldIsClaimedBeforeABacklogOfCreates() {
    leaverHeld();
    backlogOfCreates();
    leaverEdited();

    assertThat(claimedFirst()).containsExactly(key(leaver));
  }

  @Test
  void anEditOfADeactivatedUserWhoseRemovalFailsIsClaimedBeforeABacklogOfCreates() {
    h.fulcrum.deleteFault(h.fulcrum.memberByEmail("leaver@corp.example").orElseThrow().id(), DeleteFault.IGNORED);
    h.okta.set(leaver, "active", 0);
    h.runOnce();
    assertThat(h.row(key(leaver)).state()).isEqualTo(WorkState.RETRYING);
    backlogOfCreates();
    leaverEdited();

    assertThat(claimedFirst()).containsExactly(key(leaver));
  }

  /** Set aside, edited, held again by the guard, and let go by `approve-removals`. */
  @Test
  void anApprovedRemovalOfAUserEditedAfterItsRemovalWasSetAsideIsClaimedBeforeABacklogOfCreates() {
    leaverSetAside();
    leaverEdited();
    h.settle();
    assertThat(h.row(key(leaver)).state()).as("held again").isEqualTo(WorkState.HELD);
    backlogOfCreates();

    assertThat(h.guard.approveHeld(h.queue, h.guard.held())).hasSize(1);

    assertThat(claimedFirst()).containsExactly(key(leaver));
  }

  /** As a resync nudges a key whose drift it closes, and a group's reconcile one whose member it found gone. */
  @Test
  void aNudgeOfADeactivatedUserWhoseRemovalWasSetAsideIsClaimedBeforeABacklogOfCreates() {
    leaverSetAside();
    backlogOfCreates();

    h.queue.nudge(key(leaver), false);

    assertThat(claimedFirst()).containsExactly(key(leaver));
  }

  /**
   * Entra provisions a disabled account whose address an unmanaged member has: with
   * users.adopt_existing its plan adopts that member to remove it, and the guard holds it before
   * the link is written. Returns the user.
   */
  String adoptedToBeRemovedAndHeld() {
    h.close();
    h = new ReconcileHarness(dir.resolve("adopting"), guardedToOne().withSettings(UserPushTest.adopting()));
    removed = h.okta.user("removed@corp.example", "Removed", "Example", null);
    h.settle();
    h.okta.set(removed, "active", 0);
    h.settle();
    String inactive = h.scim().post("/Users", ScimTestServer.Bodies.user("taken@corp.example", "Hand", "Made", false))
        .json().get("id").asText();
    h.settle();
    assertThat(h.row(key(inactive))).extracting(WorkItem::state, WorkItem::heldMember).containsExactly(WorkState.HELD, "m-taken");
    return inactive;
  }

  @Test
  void anApprovedRemovalOfAMemberAdoptedForAUserPushedInactiveIsClaimedBeforeABacklogOfCreates() {
    String inactive = adoptedToBeRemovedAndHeld();
    backlogOfCreates();

    assertThat(h.guard.approveHeld(h.queue, h.guard.held())).hasSize(1);

    assertThat(claimedFirst()).containsExactly(key(inactive));
  }

  @Test
  void anEditOfAUserPushedInactiveWhoseAdoptedMembersRemovalWasSetAsideIsClaimedBeforeABacklogOfCreates() {
    String inactive = adoptedToBeRemovedAndHeld();
    assertThat(h.queue.skip(key(inactive), h.row(key(inactive)).generation())).isTrue();
    backlogOfCreates();

    h.okta.set(inactive, "given_name", "Renamed");

    assertThat(claimedFirst()).containsExactly(key(inactive));
  }

  /** Its member removed, the user has nothing left in Fulcrum to take away: its edits wait their turn. */
  @Test
  void anEditOfADeactivatedUserWhoseRemovalWasMadeWaitsBehindTheBacklog() {
    h.okta.set(removed, "active", 0);
    h.settle();
    assertThat(h.fulcrum.memberByEmail("removed@corp.example")).isEmpty();
    backlogOfCreates();

    h.okta.set(removed, "given_name", "Renamed");

    assertThat(claimedFirst()).doesNotContain(key(removed));
    assertThat(h.row(key(removed)).removal()).isFalse();
  }
}
