package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.reconcile.Pause;
import com.fulcrumscim.reconcile.RemovalGuard;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code approve-removals} approves the held removals its command read, not those held when the
 * daemon gets to the request: a removal storm held meanwhile is what the guard is for.
 */
class ApproveRemovalsRequestTest {
  static final BridgeConfig CONFIG = ConfigLoader.fromSystemEnvironment().defaults();

  @TempDir Path dir;
  Database db;
  RemovalGuard guard;
  OperatorActions actions;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("bridge.db"));
    guard = new RemovalGuard(db, Clock.systemUTC(), CONFIG.guard());
    actions = OperatorActions.configured(CONFIG, db, Clock.systemUTC(), () -> {});
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void removalsHeldWhileTheRequestWaitedForTheDaemonStayHeld() throws Exception {
    held("seen-by-the-operator", 1_000);
    List<RemovalGuard.Held> seen = guard.held();
    assertThat(new WriterLease(db, Clock.systemUTC(), WriterLease.Role.DAEMON).tryHold()).isTrue();
    CompletableFuture<OperatorRequest.Answer> command = CompletableFuture.supplyAsync(() -> {
      try {
        return new CommandChannel(db, Clock.systemUTC(), WriterLease.TTL, new PrintWriter(Writer.nullWriter()))
            .perform(OperatorRequest.Kind.APPROVE_REMOVALS, OperatorRequest.approvalTarget(seen), false, true, Watch.NONE, (w, f) -> {
              throw new AssertionError("not in-process: a daemon runs");
            });
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    // while the request waits behind a long one, a mis-scoped Okta assignment deactivates 40 more
    for (int i = 0; i < 40; i++) {
      held("storm-" + i, 2_000);
    }

    try (RequestExecutor daemon = new RequestExecutor(new RequestStore(db, Clock.systemUTC()), actions, () -> null)) {
      daemon.start();
      OperatorRequest.Answer answer = command.get(20, TimeUnit.SECONDS);

      assertThat(answer.exitCode()).isEqualTo(ExitCode.OK);
      assertThat(answer.out()).startsWith("Approved 1 held removal: user/seen-by-the-operator;");
      assertThat(answer.err()).contains("40 more removals are held that this command did not approve (held after it looked");
    }
    assertThat(guard.held()).hasSize(40).noneMatch(h -> h.userId().equals("seen-by-the-operator"));
  }

  @Test
  void aHeldRemovalOktaReplacedSinceTheCommandReadItIsNotApproved() {
    held("u1", 1_000);
    List<RemovalGuard.Held> seen = guard.held();
    // its change settled, then a later deactivation went HELD: a new removal, the guard counts it again
    db.write(c -> c.createStatement().executeUpdate("UPDATE work SET created_at = 5000 WHERE entity_id = 'u1'"));

    OperatorRequest.Answer answer = actions.carryOut(request(OperatorRequest.approvalTarget(seen)), () -> null, Watch.NONE);

    assertThat(answer.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(answer.err()).startsWith("Nothing approved: 1 of the 1 held removal this command read changed since");
    assertThat(guard.held()).extracting(RemovalGuard.Held::createdAt).containsExactly(5_000L);
  }

  /** The approval names the member the command read: a plan naming another since is not what the operator saw. */
  @Test
  void aRemovalHeldAgainForAnotherMemberAfterTheCommandReadItStaysHeld() {
    held("u1", 1_000);
    db.write(c -> c.createStatement().executeUpdate("UPDATE work SET held_member = 'm-1' WHERE entity_id = 'u1'"));
    List<RemovalGuard.Held> seen = guard.held();
    db.write(c -> c.createStatement().executeUpdate("UPDATE work SET named_member = 'm-2' WHERE entity_id = 'u1'"));

    OperatorRequest.Answer answer = actions.carryOut(request(OperatorRequest.approvalTarget(seen)), () -> null, Watch.NONE);

    assertThat(answer.err()).startsWith("Nothing approved: 1 of the 1 held removal this command read changed since")
        .contains("held again for another member");
    assertThat(RemovalGuard.heldAgain(guard.held())).containsExactly("u1");
  }

  /** Fulcrum's ids are opaque: one with an '@' in it travels to the daemon whole. */
  @Test
  void theApprovalCoversTheMemberTheCommandReadWhateverItsId() {
    held("u1", 1_000);
    db.write(c -> c.createStatement().executeUpdate("UPDATE work SET held_member = 'm@1' WHERE entity_id = 'u1'"));

    actions.carryOut(request(OperatorRequest.approvalTarget(guard.held())), () -> null, Watch.NONE);

    String approvedFor = db.read(c -> {
      try (var rs = c.createStatement().executeQuery("SELECT member_id FROM removal_approval WHERE scim_id = 'u1'")) {
        return rs.next() ? rs.getString(1) : null;
      }
    });
    assertThat(approvedFor).isEqualTo("m@1");
  }

  @Test
  void anApprovalFromACommandThatSentNoSetApprovesNothing() {
    held("u1", 1_000);

    OperatorRequest.Answer answer = actions.carryOut(request(null), () -> null, Watch.NONE);

    assertThat(answer.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(answer.err()).contains("did not say which held removals it saw");
    assertThat(guard.held()).hasSize(1);
  }

  /** A refused token pauses the reconciler: "its next cycle" would send the operator away with nothing applied. */
  @Test
  void whileTheReconcilerIsPausedTheAnswerSaysNothingIsAppliedUntilItResumes() {
    held("u1", 1_000);
    new SettingStore(db).put(Pause.KEY, "GET /api/v2/memberships.json: 401 Unauthorized");

    OperatorRequest.Answer answer = actions.approveRemovals(guard.held());

    assertThat(answer.out()).isEqualToIgnoringNewLines("Approved 1 held removal: user/u1; the reconciler is PAUSED"
        + " (GET /api/v2/memberships.json: 401 Unauthorized), so nothing is applied until it resumes (`fulcrum-scim status`"
        + " says why).");
  }

  @Test
  void aRetryWhileTheReconcilerIsPausedSaysNothingIsAppliedUntilItResumes() {
    WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
    queue.enqueue(ResourceKey.user("u-bob"));
    queue.dead(queue.claim(1).get(0), "500 server error");
    new SettingStore(db).put(Pause.KEY, "GET /api/v2/memberships.json: 401 Unauthorized");

    assertThat(actions.retry(ResourceKey.user("u-bob")).out()).contains("user/u-bob is due again with a fresh retry budget;"
        + " the reconciler is PAUSED (GET /api/v2/memberships.json: 401 Unauthorized), so nothing is applied until it resumes");
  }

  @Test
  void anApprovalWhileTheReconcilerRunsIsAppliedInItsNextCycle() {
    held("u1", 1_000);

    assertThat(actions.approveRemovals(guard.held()).out()).contains("the reconciler applies them in its next cycle");
  }

  private static OperatorRequest request(String target) {
    return new OperatorRequest(1, OperatorRequest.Kind.APPROVE_REMOVALS, target, false, OperatorRequest.State.RUNNING,
        null, null, 0, 0, null, null);
  }

  private void held(String id, long createdAt) {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO work (entity_type, entity_id, state, generation, "
        + "attempts, next_attempt_at, created_at, updated_at, removal) VALUES ('USER', '" + id + "', 'HELD', 1, 0, "
        + createdAt + ", " + createdAt + ", " + createdAt + ", 1)"));
  }
}
