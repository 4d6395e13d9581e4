package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fulcrumscim.cli.ApproveRemovalsCommand;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ReconcileHarness;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Outages, rate limits, a revoked token, lost answers and the mass-removal guard. */
class ResilienceTest extends EndToEnd {

  List<String> pushUsersInAGroup(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(h.okta.user("user" + i + "@corp.example", "User", "No" + i, null));
    }
    h.okta.group("Storm Crew", ids);
    return ids;
  }

  void everyUserIsExactlyOneMemberAndEveryRowIsDone(int n) {
    for (int i = 0; i < n; i++) {
      assertThat(membersIn("user" + i + "@corp.example")).as("user" + i).isEqualTo(1);
    }
    assertThat(h.queue.list(null, 1000)).extracting(WorkItem::state).containsOnly(WorkState.DONE);
    assertThat(h.fulcrum.groups()).filteredOn(g -> g.name().equals("Storm Crew")).singleElement()
        .satisfies(g -> assertThat(g.memberIds()).hasSize(n));
  }

  @Test
  void aStormOf5xxDropsAndLostAnswersConvergesWithoutDuplicates() {
    start();
    pushUsersInAGroup(20);
    h.fulcrum.faults().errorShare(0.4).dropShare(0.1).lostResponseShare(0.15);
    h.settle(2000);
    everyUserIsExactlyOneMemberAndEveryRowIsDone(20);
  }

  @Test
  void aStormOf429ConvergesWithoutSpendingRetryBudget() {
    start();
    pushUsersInAGroup(20);
    h.fulcrum.faults().rateLimitBurst(30, Duration.ofSeconds(3));
    h.runOnce();
    assertThat(h.queue.list(null, 1000)).extracting(WorkItem::attempts).containsOnly(0);
    h.settle(500);
    everyUserIsExactlyOneMemberAndEveryRowIsDone(20);
  }

  @Test
  void aRevokedTokenPausesEverythingWithoutSpendingBudgetAndAProbeResumes() {
    start();
    List<String> ids = pushUsersInAGroup(5);
    h.fulcrum.faults().revokeToken();
    h.runOnce();
    assertThat(h.pause.reason()).hasValueSatisfying(r -> assertThat(r).contains("401"));
    assertThat(h.queue.list(null, 100)).allSatisfy(w -> {
      assertThat(w.state()).isEqualTo(WorkState.PENDING);
      assertThat(w.attempts()).isZero();
    });
    assertThat(h.runOnce().skipped()).startsWith("paused");
    assertThat(h.fulcrum.memberByEmail("user0@corp.example")).isEmpty();

    h.fulcrum.faults().restoreToken();
    h.settle();
    assertThat(h.pause.reason()).isEmpty();
    everyUserIsExactlyOneMemberAndEveryRowIsDone(ids.size());
  }

  /**
   * A 403 (or 402) refuses one kind of call to the token's user, e.g. a role that may manage
   * members but not groups: the token works, so pausing would resume at the next probe and pause
   * again every cycle. The row ends dead with the reason; everything else goes on.
   */
  @Test
  void aCallTheTokensUserMayNotMakeEndsThatRowDeadWithTheReasonAndTheRestGoOn() {
    start();
    h.restart(UserPushTest.replacing(h.http, "createGroup", args -> {
      throw new FulcrumException.Forbidden("POST /api/v2/groups.json", 403, "");
    }));
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    String crew = h.okta.group("Crew", List.of(ada));
    h.settle();

    assertThat(h.pause.reason()).isEmpty();
    WorkItem row = h.row(ResourceKey.group(crew));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("403").contains("fulcrum-scim journal retry --all-dead");
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).isPresent();
    long ownerReads = calls("GET /api/v2/users.json");
    for (int i = 0; i < 5; i++) {
      h.clock.tick(Duration.ofSeconds(10));
      h.runOnce();
    }
    assertThat(calls("GET /api/v2/users.json")).as("no token probe cycle after cycle").isEqualTo(ownerReads);
  }

  /**
   * A read refused to the token's user (the plan lapsed: 402; a role that may not list members)
   * stops every plan: the reconciler pauses, rows spend nothing, and the probe repeats that read
   * (the token itself still works), so it resumes only once the read is allowed again.
   */
  @Test
  void aReadRefusedToTheTokensUserPausesUntilThatReadWorksAgain() {
    start();
    java.util.concurrent.atomic.AtomicBoolean refused = new java.util.concurrent.atomic.AtomicBoolean(true);
    h.restart(UserPushTest.replacing(h.http, "members", args -> {
      if (refused.get()) {
        throw new FulcrumException.Forbidden("GET /api/v2/memberships.json", 402, "payment required");
      }
      return null;
    }));
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.runOnce();
    assertThat(h.pause.reason()).hasValueSatisfying(r -> assertThat(r).contains("402"));
    for (int i = 0; i < 3; i++) {
      h.clock.tick(Duration.ofSeconds(10));
      assertThat(h.runOnce().skipped()).as("still paused while the read is refused").startsWith("paused");
    }
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.PENDING);
    assertThat(h.row(ResourceKey.user(ada)).attempts()).isZero();

    refused.set(false);
    h.settle();
    assertThat(h.pause.reason()).isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  /**
   * The refused read is kept with the pause: a restarted daemon (or another node) probes that read,
   * not the token's user, and stays paused without making the refused call again and again.
   */
  @Test
  void aPauseForARefusedReadSurvivesARestartAndTheProbeRepeatsThatRead() {
    start();
    FulcrumClient refusing = UserPushTest.replacing(h.http, "members", args -> {
      throw new FulcrumException.Forbidden("GET /api/v2/memberships.json", 402, "payment required");
    });
    h.restart(refusing);
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.runOnce();
    assertThat(h.pause.reason()).hasValueSatisfying(r -> assertThat(r).contains("402"));

    h.restart(refusing);
    for (int i = 0; i < 3; i++) {
      h.clock.tick(Duration.ofSeconds(10));
      assertThat(h.runOnce().skipped()).as("paused after the restart, cycle " + i).startsWith("paused");
    }
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.PENDING);
    assertThat(h.row(ResourceKey.user(ada)).attempts()).isZero();

    h.restart(h.http);
    h.settle();
    assertThat(h.pause.reason()).isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  /**
   * The group list is a read only group plans need: a role that may not list groups fails those
   * rows, and never holds up a user's removal.
   */
  @Test
  void aRefusedGroupListFailsTheGroupRowsAndRemovalsStillGoThrough() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.clock.tick(Duration.ofHours(1)); // the cached lists have aged
    h.restart(UserPushTest.replacing(h.http, "groups", args -> {
      throw new FulcrumException.Forbidden("GET /api/v2/groups.json", 403, "");
    }));
    String crew = h.okta.group("Crew", List.of());
    h.okta.set(ada, "active", 0);
    h.settle();

    assertThat(h.pause.reason()).isEmpty();
    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).as("a deprovisioned person").isEmpty();
    assertThat(h.row(ResourceKey.group(crew)).state()).isEqualTo(WorkState.DEAD);
  }

  @Test
  void aPauseSurvivesARestart() {
    start();
    h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.fulcrum.faults().revokeToken();
    h.runOnce();
    h.restart(h.http);
    assertThat(h.runOnce().skipped()).startsWith("paused");
  }

  @Test
  void anOutageLongerThanTheRetryBudgetEndsDeadWithTheReason() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.fulcrum.faults().errorShare(1.0);
    h.runOnce();
    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.RETRYING);
    assertThat(h.row(ResourceKey.user(id)).attempts()).isEqualTo(1);
    h.clock.tick(Duration.ofHours(25));
    h.runOnce();
    WorkItem row = h.row(ResourceKey.user(id));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("retry budget of 24h");
  }

  /**
   * An operator approved a held removal, then Okta put the user back before it ran: the approval
   * must not let the same user's removal past the guard a month later, in a mis-scoped batch.
   */
  @Test
  void anApprovalForARemovalThatNeverHappenedDoesNotLetALaterRemovalPastTheGuard() {
    start(ReconcileHarness.Options.defaults().withGuard(0, 1));
    String a = h.okta.user("a@corp.example", "A", "Example", null);
    String b = h.okta.user("b@corp.example", "B", "Example", null);
    List<String> later = List.of(h.okta.user("c@corp.example", "C", "Example", null),
        h.okta.user("d@corp.example", "D", "Example", null), h.okta.user("e@corp.example", "E", "Example", null));
    h.settle();
    h.okta.set(a, "active", 0);
    h.okta.set(b, "active", 0);
    h.settle();
    assertThat(h.row(ResourceKey.user(a)).state()).isEqualTo(WorkState.HELD);
    h.guard.approveHeld(h.queue, h.guard.held());
    h.okta.set(a, "active", 1);
    h.settle();
    assertThat(h.fulcrum.memberByEmail("a@corp.example")).isPresent();

    h.clock.tick(Duration.ofDays(30));
    h.okta.set(a, "active", 0);
    later.forEach(u -> h.okta.set(u, "active", 0));
    h.settle();

    assertThat(h.row(ResourceKey.user(a)).state()).as("one of 4 removals at once (guard: more than 1)").isEqualTo(WorkState.HELD);
    assertThat(h.fulcrum.memberByEmail("a@corp.example")).isPresent();
  }

  /** HA: the node where the operator approves runs minutes behind the one that took the deactivations. */
  @Test
  void anApprovalOnANodeWhoseClockIsBehindStillReleasesTheHeldRemovals() {
    start(ReconcileHarness.Options.defaults().withGuard(10, 1));
    String a = h.okta.user("a@corp.example", "A", "Example", null);
    String b = h.okta.user("b@corp.example", "B", "Example", null);
    h.settle();
    h.okta.set(a, "active", 0);
    h.okta.set(b, "active", 0);
    h.settle();
    assertThat(h.queue.list(WorkState.HELD, 10)).hasSize(2);

    h.clock.tick(Duration.ofMinutes(-3));
    assertThat(h.guard.approveHeld(h.queue, h.guard.held())).hasSize(2);
    h.clock.tick(Duration.ofMinutes(4));
    h.settle();

    assertThat(h.queue.list(WorkState.HELD, 10)).isEmpty();
    assertThat(h.fulcrum.memberByEmail("a@corp.example")).isEmpty();
    assertThat(h.fulcrum.memberByEmail("b@corp.example")).isEmpty();
  }

  @Test
  void massRemovalsAreHeldUntilApprovedThenGoOnce() throws Exception {
    start(ReconcileHarness.Options.defaults().withGuard(10, 3));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(h.okta.user("user" + i + "@corp.example", "User", "No" + i, null));
    }
    h.settle();
    for (int i = 0; i < 5; i++) {
      h.okta.set(ids.get(i), "active", 0);
    }
    h.settle();
    assertThat(h.queue.list(WorkState.HELD, 100)).hasSize(5)
        .allSatisfy(w -> assertThat(w.lastError()).contains("0 removals in the last 1h and 5 pending, of 6 managed members"));
    assertThat(h.fulcrum.members()).hasSize(3 + 6);

    Path config = dir.resolve("config.yml");
    Files.writeString(config, "storage:\n  path: " + h.db.path() + "\n");
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new ApproveRemovalsCommand());
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute("--config", config.toString())).isZero();
    assertThat(out.toString()).contains("Approved 5 held removals");

    h.settle();
    assertThat(h.fulcrum.members()).hasSize(3 + 1);
    assertThat(h.queue.list(WorkState.HELD, 100)).isEmpty();
  }

  /**
   * review-s16a F3, review-s17c F1: an admin removed one person's member by hand just before a storm
   * of deactivations, while the bridge's cached member list still shows it. The hold is made on that
   * list, with no read of its own; the next member list read (a plan's, the copy being older than its
   * 5 minutes) no longer shows the member, which is read again by id, and the row ends DONE, "already
   * gone", without an approval; the real removals stay held.
   */
  @Test
  void aHeldRemovalWhoseMemberWasRemovedByHandEndsDoneAtTheNextListRead() {
    start(ReconcileHarness.Options.defaults().withGuard(10, 3));
    List<String> ids = sixUsers();
    String gone = inFulcrum("user0@corp.example").id();
    h.http.deleteMember(gone, null); // by hand
    for (int i = 0; i < 5; i++) {
      h.okta.set(ids.get(i), "active", 0);
    }
    h.settle();
    assertThat(h.row(ResourceKey.user(ids.get(0))).state()).as("held on the cached list").isEqualTo(WorkState.HELD);

    aListReadLater();

    assertGoneAndTheRestHeld(ids, gone);
  }

  /**
   * review-s17c F2: the member of a removal already held is removed by hand afterwards. The next
   * member list read ends the row DONE without `approve-removals`.
   */
  @Test
  void aMemberRemovedByHandAfterItsRemovalWasHeldEndsItDone() {
    start(ReconcileHarness.Options.defaults().withGuard(10, 3));
    List<String> ids = sixUsers();
    for (int i = 0; i < 5; i++) {
      h.okta.set(ids.get(i), "active", 0);
    }
    h.settle();
    assertThat(h.queue.list(WorkState.HELD, 100)).hasSize(5);
    String gone = inFulcrum("user0@corp.example").id();
    h.http.deleteMember(gone, null); // by hand, after the hold

    aListReadLater();

    assertGoneAndTheRestHeld(ids, gone);
  }

  /**
   * review-s17c F4: the read that confirms a held member gone fails (a proxy's 503): the hold stands,
   * HELD, not a failing removal; once the read works, the next list read ends it.
   */
  @Test
  void aFailedReadOfAHeldMemberLeavesTheHoldStanding() {
    start(ReconcileHarness.Options.defaults().withGuard(10, 3));
    java.util.concurrent.atomic.AtomicReference<String> failing = new java.util.concurrent.atomic.AtomicReference<>();
    h.restart(UserPushTest.replacing(h.http, "member", args -> {
      if (args[0].equals(failing.get())) {
        throw new FulcrumException.Unavailable("GET /api/v2/memberships/{id}.json", "503 from the proxy", null);
      }
      return null;
    }));
    List<String> ids = sixUsers();
    String gone = inFulcrum("user0@corp.example").id();
    failing.set(gone);
    h.http.deleteMember(gone, null); // by hand
    for (int i = 0; i < 5; i++) {
      h.okta.set(ids.get(i), "active", 0);
    }
    h.settle();
    aListReadLater();
    WorkItem row = h.row(ResourceKey.user(ids.get(0)));
    assertThat(row.state()).as("still held, not failing").isEqualTo(WorkState.HELD);
    assertThat(row.attempts()).isZero();

    failing.set(null);
    aListReadLater();

    assertGoneAndTheRestHeld(ids, gone);
  }

  /**
   * review-s17c F1: a storm Okta pushes one user at a time is one hold per cycle. A hold reads
   * nothing of its own: the 22 holds cost no GET of a member, only the three removals' read-backs.
   */
  @Test
  void holdsTrickledOnePerCycleReadNoMemberEach() {
    start(ReconcileHarness.Options.defaults().withGuard(10, 3));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(h.okta.user("user" + i + "@corp.example", "User", "No" + i, null));
    }
    h.settle();
    long gets = calls(GET_MEMBER);
    for (int i = 0; i < 25; i++) {
      h.clock.tick(Duration.ofMillis(1500));
      h.okta.set(ids.get(i), "active", 0);
      h.settle();
    }
    assertThat(h.queue.list(WorkState.HELD, 100)).hasSize(22);
    assertThat(calls(GET_MEMBER) - gets).as("the three removals' read-backs, nothing per hold").isEqualTo(3);
  }

  private static final String GET_MEMBER = "GET /api/v2/memberships/{id}.json";
  private int hires;

  private List<String> sixUsers() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(h.okta.user("user" + i + "@corp.example", "User", "No" + i, null));
    }
    h.settle(); // the member list is cached
    return ids;
  }

  /** The cached member list grows older than its 5 minutes, and a new hire's plan reads it again. */
  private void aListReadLater() {
    h.clock.tick(Duration.ofMinutes(6));
    h.okta.user("hire" + hires++ + "@corp.example", "New", "Hire", null);
    h.settle();
  }

  private void assertGoneAndTheRestHeld(List<String> ids, String gone) {
    assertThat(h.row(ResourceKey.user(ids.get(0))).state()).as("nothing to approve").isEqualTo(WorkState.DONE);
    assertThat(new AuditLog(h.db, h.clock).list(null, 100)).filteredOn(e -> e.action().equals("UNLINK"))
        .singleElement().satisfies(e -> {
          assertThat(e.fulcrumId()).isEqualTo(gone);
          assertThat(e.detail()).contains("already gone");
        });
    assertThat(h.queue.list(WorkState.HELD, 100)).extracting(w -> w.key().scimId())
        .as("the real removals are still held").containsExactlyInAnyOrderElementsOf(ids.subList(1, 5));
    assertThat(h.fulcrum.memberByEmail("user1@corp.example")).as("nobody removed by the bridge").isPresent();
  }

  /** 30 managed users, then Okta deactivates the first {@code n}, one every 1.5 s, each reconciled at once. */
  private List<String> trickleOfDeactivations(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(h.okta.user("user" + i + "@corp.example", "User", "No" + i, null));
    }
    h.settle();
    for (int i = 0; i < n; i++) {
      h.clock.tick(Duration.ofMillis(1500));
      h.okta.set(ids.get(i), "active", 0);
      h.settle();
    }
    return ids;
  }

  @Test
  void removalsTricklingInPastTheThresholdWithinTheWindowAreHeldEachWithAnErrorLine() {
    start(ReconcileHarness.Options.defaults().withGuard(10, 20));
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger loop = (Logger) LoggerFactory.getLogger(ReconcileLoop.class);
    logs.start();
    loop.addAppender(logs);
    try {
      trickleOfDeactivations(25);
    } finally {
      loop.detachAppender(logs);
    }
    assertThat(calls("DELETE /api/v2/memberships/{id}.json")).isEqualTo(20);
    assertThat(h.queue.list(WorkState.HELD, 100)).hasSize(5)
        .allSatisfy(w -> assertThat(w.lastError()).contains("removals in the last 1h").contains("more than 20"));
    assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.ERROR)
        .extracting(ILoggingEvent::getFormattedMessage).hasSize(5).allMatch(m -> m.startsWith("REMOVAL HELD for user/"));
  }

  /** Whether a storm is real or a mis-scoped assignment is judged by who is in it, not by SCIM ids. */
  @Test
  void aHeldRemovalNamesThePersonInItsReasonAndItsErrorLine() {
    start(ReconcileHarness.Options.defaults().withGuard(10, 1));
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger loop = (Logger) LoggerFactory.getLogger(ReconcileLoop.class);
    String ada = h.okta.userNamed("ada", "ada@corp.example", "Ada", "Lovelace", null);
    String bob = h.okta.userNamed("bob", "bob@corp.example", "Bob", "Builder", null);
    h.settle();
    h.okta.set(ada, "active", 0);
    h.okta.set(bob, "active", 0);
    logs.start();
    loop.addAppender(logs);
    try {
      h.settle();
    } finally {
      loop.detachAppender(logs);
    }

    assertThat(h.queue.list(WorkState.HELD, 10)).extracting(WorkItem::lastError)
        .containsExactlyInAnyOrder("user ada (ada@corp.example): 0 removals in the last 1h and 2 pending, of 2 managed members"
            + " (guard: more than 1 = max(1, 10%) per guard.window); held until `fulcrum-scim approve-removals`;"
            + " the change removes Fulcrum member " + inFulcrum("ada@corp.example").id(),
            "user bob (bob@corp.example): 0 removals in the last 1h and 2 pending, of 2 managed members"
            + " (guard: more than 1 = max(1, 10%) per guard.window); held until `fulcrum-scim approve-removals`;"
            + " the change removes Fulcrum member " + inFulcrum("bob@corp.example").id());
    assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.ERROR).extracting(ILoggingEvent::getFormattedMessage)
        .containsExactlyInAnyOrder("REMOVAL HELD for user/" + ada + ": " + h.row(ResourceKey.user(ada)).lastError(),
            "REMOVAL HELD for user/" + bob + ": " + h.row(ResourceKey.user(bob)).lastError());
  }

  @Test
  void aRemovalAfterTheWindowHasPassedGoesThrough() {
    start(ReconcileHarness.Options.defaults().withGuard(10, 20));
    List<String> ids = trickleOfDeactivations(21);
    assertThat(h.queue.list(WorkState.HELD, 100)).hasSize(1);
    h.clock.tick(ReconcileHarness.GUARD_WINDOW);
    h.okta.set(ids.get(21), "active", 0);
    h.settle();
    assertThat(h.fulcrum.memberByEmail("user21@corp.example")).isEmpty();
    assertThat(h.queue.list(WorkState.HELD, 100)).hasSize(1); // held stays held until an operator approves
  }
}
