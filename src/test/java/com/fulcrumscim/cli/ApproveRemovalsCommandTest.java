package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code approve-removals} with no daemon running: the command approves under the writer lease. */
class ApproveRemovalsCommandTest {
  @TempDir Path dir;
  OpsCliRun cli;

  /** ada's and bob's removals are held by the mass-removal guard. */
  @BeforeEach
  void seed() throws Exception {
    cli = new OpsCliRun(dir);
    try (Database db = cli.openDatabase()) {
      for (String id : new String[] {"u-ada", "u-bob"}) {
        db.write(c -> c.createStatement().executeUpdate("INSERT INTO work (entity_type, entity_id, state, generation, "
            + "attempts, next_attempt_at, created_at, updated_at, removal) VALUES ('USER', '" + id + "', 'HELD', 1, 0, 1, 1, 1, 1)"));
      }
    }
  }

  @Test
  void approvesOnlyTheNamedHeldRemovals() {
    OpsCliRun.Result r = cli.runWithConfig("approve-removals", "user/u-bob");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Approved 1 held removal: user/u-bob;");
    assertThat(stateOf("u-bob")).isEqualTo(WorkState.PENDING);
    assertThat(stateOf("u-ada")).isEqualTo(WorkState.HELD);
  }

  @Test
  void withNoDaemonRunningTheAnswerSaysNothingAppliesTheApprovalUntilServeStarts() {
    OpsCliRun.Result r = cli.runWithConfig("approve-removals");

    assertThat(r.out()).isEqualToIgnoringNewLines("Approved 2 held removals: user/u-ada, user/u-bob; no daemon holds the "
        + "writer lease, so nothing is applied until one does (`fulcrum-scim serve` takes it as it starts).");
  }

  @Test
  void heldRoleTakeBacksAreCountedApartFromHeldRemovals() throws Exception {
    try (Database db = cli.openDatabase()) {
      // cy is still active in Okta: what the guard holds for cy is a role take-back, not a removal
      db.write(c -> c.createStatement().executeUpdate("INSERT INTO scim_user (id, user_name, user_name_key, active, role, doc, "
          + "created_at, updated_at) VALUES ('u-cy', 'cy', 'cy', 1, NULL, '{}', 1, 1)"));
      db.write(c -> c.createStatement().executeUpdate("INSERT INTO work (entity_type, entity_id, state, generation, "
          + "attempts, next_attempt_at, created_at, updated_at, removal) VALUES ('USER', 'u-cy', 'HELD', 1, 0, 1, 2, 1, 0)"));
    }

    OpsCliRun.Result r = cli.runWithConfig("approve-removals");

    assertThat(r.out()).startsWith("Approved 2 held removals and 1 held role take-back: user/u-ada, user/u-bob, user cy (user/u-cy);");
  }

  /** The answer names the people let go, with their keys for `journal show`. */
  @Test
  void theAnswerNamesEachApprovedPersonWithTheirKey() throws Exception {
    try (Database db = cli.openDatabase()) {
      db.write(c -> c.createStatement().executeUpdate("INSERT INTO scim_user (id, user_name, user_name_key, email, email_key, active, "
          + "doc, created_at, updated_at) VALUES ('u-bob', 'bob', 'bob', 'bob@corp.example', 'bob@corp.example', 0, '{}', 1, 1)"));
    }

    OpsCliRun.Result r = cli.runWithConfig("approve-removals", "user/u-bob");

    assertThat(r.out()).startsWith("Approved 1 held removal: user bob (bob@corp.example, user/u-bob);");
  }

  /**
   * review-s8g F4: ada's change was approved for member m-1 and is held again, its plan now naming
   * m-2 (maybe a new hire's own account): approving everything held leaves it held; naming it lets it go.
   */
  @Test
  void aChangeHeldAgainForAnotherMemberIsApprovedOnlyByName() throws Exception {
    adaHeldAgainForAnotherMember();

    OpsCliRun.Result all = cli.runWithConfig("approve-removals");

    assertThat(all.out()).startsWith("Approved 1 held removal: user/u-bob;");
    assertThat(stateOf("u-ada")).isEqualTo(WorkState.HELD);
    assertThat(cli.runWithConfig("approve-removals").out()).startsWith("Nothing approved: every held change is held again")
        .contains("user/u-ada");
    OpsCliRun.Result named = cli.runWithConfig("approve-removals", "user/u-ada");
    assertThat(named.out()).startsWith("Approved 1 held removal: user/u-ada;");
    assertThat(stateOf("u-ada")).isEqualTo(WorkState.PENDING);
  }

  /** Approving everything held says which it left held and why, not only that it approved the rest (review-s9a M1). */
  @Test
  void approvingEverythingHeldNamesTheChangesHeldAgainItLeftHeld() throws Exception {
    adaHeldAgainForAnotherMember();

    OpsCliRun.Result all = cli.runWithConfig("approve-removals");

    assertThat(all.err()).contains("Left held: 1 change is held again for another member than the one it was held on or"
        + " approved for (user/u-ada)");
  }

  /** ada's change was approved for member m-1 and is held again, its plan now naming m-2. */
  private void adaHeldAgainForAnotherMember() {
    try (Database db = cli.openDatabase()) {
      db.write(c -> c.createStatement().executeUpdate("UPDATE work SET held_member = 'm-1', named_member = 'm-2' "
          + "WHERE entity_id = 'u-ada'"));
      db.write(c -> c.createStatement().executeUpdate(
          "INSERT INTO removal_approval (scim_id, approved_at, member_id) VALUES ('u-ada', 1, 'm-1')"));
    }
  }

  @Test
  void aNamedKeyThatIsNotHeldApprovesNothing() {
    OpsCliRun.Result r = cli.runWithConfig("approve-removals", "user/u-bob", "user/u-typo");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("user/u-typo is not a held removal or role take-back: nothing approved");
    assertThat(stateOf("u-bob")).isEqualTo(WorkState.HELD);
  }

  private WorkState stateOf(String id) {
    try (Database db = cli.openDatabase()) {
      return new WorkQueue(db, Clock.systemUTC()).get(ResourceKey.user(id)).orElseThrow().state();
    }
  }
}
