package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ReconcileHarness;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The reconcile of one key as a value: an outcome plus the keys it affects; the queue is the loop's. */
class ReconcilerTest extends EndToEnd {
  /** These reconciles run outside the loop, with no claim to check: the queue stays untouched. */
  private static final Database.Work<Void> UNCLAIMED = c -> null;

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  /** One key reconciled as a cycle of its own does it: its removal, if any, checked by the cycle's one check. */
  private Reconciled reconcile(ResourceKey key) {
    Reconciler reconciler = h.wiring().reconciler();
    RemovalChecks checks = reconciler.removalChecks();
    CompletableFuture<Reconciled> result = reconciler.reconcile(key, UNCLAIMED, checks);
    checks.check().forEach(Runnable::run);
    return result.join();
  }

  @Test
  void linkingAUserNamesItsGroupsAsAffectedWithoutTouchingTheQueue() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    String ops = h.okta.group("Ops", List.of(ada));
    List<WorkItem> queueBefore = h.queue.list(null, 100);

    Reconciled result = reconcile(ResourceKey.user(ada));

    assertThat(result.outcome().kind()).isEqualTo(Outcome.Kind.APPLIED);
    assertThat(result.affected()).containsExactly(ResourceKey.group(ops));
    assertThat(h.queue.list(null, 100)).isEqualTo(queueBefore);
  }

  @Test
  void aGroupWaitingForAMemberStillBeingPushedIsRetriedNotDone() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    String ops = h.okta.group("Ops", List.of(ada));

    Reconciled result = reconcile(ResourceKey.group(ops)); // before Ada's push

    assertThat(result.outcome().kind()).isEqualTo(Outcome.Kind.RETRY_AFTER);
    assertThat(((Outcome.RetryAfter) result.outcome()).why()).contains(ada);
  }

  @Test
  void aBlockedPlanIsAValueTheReconcilerRecordsAsTerminalWithoutAnyWrite() {
    start();
    String taken = h.okta.user("taken@corp.example", "Hand", "Made", null);
    h.fulcrum.calls().reset();

    Plan plan = h.wiring().readSide().plan(ResourceKey.user(taken));
    Reconciled result = reconcile(ResourceKey.user(taken));

    assertThat(plan.isBlocked()).isTrue();
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.blocked().reason()).contains("Taken@corp.example").contains("does not manage");
    assertThat(result.outcome()).isEqualTo(new Outcome.Terminal(plan.blocked().reason()));
    assertThat(h.fulcrum.calls().all()).allSatisfy(c -> assertThat(c.endpoint()).startsWith("GET"));
  }

  @Test
  void aRowWhoseOutcomeCouldNotBeRecordedIsHandedBackAndFinishedNextCycle() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    AtomicBoolean failOnce = new AtomicBoolean(true);
    try (ReconcileLoop loop = h.newWiring(h.http, kind -> {
      if (failOnce.getAndSet(false)) {
        throw new IllegalStateException("the database went away while recording");
      }
    }).loop()) {
      loop.runOnce();
      assertThat(h.queue.list(null, 100)).singleElement().satisfies(w -> assertThat(w.state()).isEqualTo(WorkState.RUNNING));

      loop.runOnce();

      assertThat(h.queue.list(null, 100)).singleElement().satisfies(w -> assertThat(w.state()).isEqualTo(WorkState.DONE));
      assertThat(h.fulcrum.memberByEmail("ada@corp.example")).isPresent();
    }
  }

  @Test
  void aRowWhoseOutcomeCommitFailsIsHandedBackAndFinishedNextCycleWithoutASecondCreate() {
    start();
    h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    // the database refuses every outcome's transaction (as a full disk would), nothing else
    refuseOutcomes(true);
    try (ReconcileLoop loop = h.newWiring(h.http, kind -> { }).loop()) {
      assertThat(loop.runOnce().finished()).as("outcomes recorded").isZero();
      assertThat(h.queue.list(null, 100)).singleElement().satisfies(w -> assertThat(w.state()).isEqualTo(WorkState.RUNNING));
      assertThat(h.fulcrum.memberByEmail("ada@corp.example")).isPresent();

      refuseOutcomes(false);
      assertThat(loop.runOnce().finished()).isEqualTo(1);

      assertThat(h.queue.list(null, 100)).singleElement().satisfies(w -> assertThat(w.state()).isEqualTo(WorkState.DONE));
      assertThat(h.fulcrum.calls().all()).filteredOn(c -> c.endpoint().startsWith("POST")).hasSize(1);
    }
  }

  @Test
  void aRoleGivenToAnExistingMemberIsTakenBackLaterThoughTheOutcomeOfTheUpdateWasLost() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.okta.set(ada, "role", "Manager");
    refuseOutcomes(true); // the update is made, then its outcome cannot be recorded (a full disk, a kill)
    try (ReconcileLoop loop = h.newWiring(h.http, kind -> { }).loop()) {
      loop.runOnce();
      assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Manager");
      refuseOutcomes(false);
      loop.runOnce(); // the replay finds the member a Manager already: nothing to send
    }
    h.okta.set(ada, "role", null);
    h.settle();

    assertThat(inFulcrum("ada@corp.example").roleName()).as("the role the bridge gave, taken back").isEqualTo("Standard User");
  }

  @Test
  void aLinkThatCannotBeCommittedMakesTheOutcomeARetriedFailureAndTheRetryLinksTheMemberMade() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    refuseLinks(true);
    try (ReconcileLoop loop = h.newWiring(h.http, kind -> { }).loop()) {
      loop.runOnce();

      assertThat(h.queue.list(null, 100)).singleElement().satisfies(w -> {
        assertThat(w.state()).isEqualTo(WorkState.RETRYING);
        assertThat(w.attempts()).isEqualTo(1);
        assertThat(w.lastError()).contains("could not commit what reconciling user/" + ada).contains("no link today");
      });
      assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isEmpty();
      assertThat(new AuditLog(h.db, h.clock).list(null, 100)).as("the create's audit row went in with the failure")
          .filteredOn(e -> e.action().equals("CREATE_MEMBER")).singleElement().satisfies(e -> {
            assertThat(e.result()).isEqualTo("ok");
            assertThat(e.key()).isEqualTo(ResourceKey.user(ada));
            assertThat(e.fulcrumId()).isEqualTo(h.fulcrum.memberByEmail("ada@corp.example").orElseThrow().id());
          });

      refuseLinks(false);
      h.clock.tick(Duration.ofHours(1));
      loop.runOnce();

      assertThat(h.queue.list(null, 100)).singleElement().satisfies(w -> assertThat(w.state()).isEqualTo(WorkState.DONE));
      assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).get()
          .satisfies(l -> assertThat(l.fulcrumId()).isEqualTo(h.fulcrum.memberByEmail("ada@corp.example").orElseThrow().id()));
      assertThat(h.fulcrum.calls().all()).filteredOn(c -> c.endpoint().startsWith("POST")).hasSize(1);
    }
  }

  @Test
  void aGroupMemberChangeSentAfterItsCyclesCheckEndedIsRetriedNamingTheMemberChangeNotADelete() {
    Crew c = adaAndBobInCrew();
    h.fulcrum.memberChangesAnsweredEmpty(true); // so the change waits for the cycle's check
    bobLeaves(c);

    Reconciled result = reconcileAfterItsCyclesCheck(ResourceKey.group(c.crew()));

    assertThat(result.outcome()).isInstanceOfSatisfying(Outcome.Failed.class, f -> assertThat(f.reason())
        .contains("its cycle had checked its writes and ended before this member change went out")
        .doesNotContain("DELETE"));
  }

  @Test
  void aMemberRemovalSentAfterItsCyclesCheckEndedIsRetriedNamingItsDelete() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.okta.set(ada, "active", 0);

    Reconciled result = reconcileAfterItsCyclesCheck(ResourceKey.user(ada));

    assertThat(result.outcome()).isInstanceOfSatisfying(Outcome.Failed.class, f -> assertThat(f.reason())
        .contains("its cycle had checked its writes and ended before this DELETE went out"));
  }

  /** A worker the cycle stopped waiting for sends its write after the cycle's check is over. */
  private Reconciled reconcileAfterItsCyclesCheck(ResourceKey key) {
    Reconciler reconciler = h.wiring().reconciler();
    RemovalChecks checks = reconciler.removalChecks();
    checks.close("not this text: the check ended before the write went out");
    return reconciler.reconcile(key, UNCLAIMED, checks).join();
  }

  @Test
  void aFulcrumCallIsLoggedOnceThoughItsAuditRowIsWrittenInEachTransactionThatTriesToRecordTheOutcome() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    // the outcome's transaction fails after its audit row, then so does the failure's that replaces it
    refuseOutcomes(true);
    try (ReconcileLoop loop = h.newWiring(h.http, kind -> { }).loop()) {
      loop.runOnce();
      refuseOutcomes(false);
      loop.runOnce();
    }
    assertThat(h.queue.list(null, 100)).singleElement().satisfies(w -> assertThat(w.state()).isEqualTo(WorkState.DONE));
    assertThat(logs.events()).map(e -> e.getFormattedMessage())
        .filteredOn(m -> m.startsWith("Fulcrum CREATE_MEMBER user/" + ada)).hasSize(1);
  }

  @Test
  void anAdoptedMemberIsNotChangedUntilItsLinkHasCommitted() {
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.adopting()));
    String before = inFulcrum("taken@corp.example").firstName();
    String id = h.okta.user("taken@corp.example", "Okta", "Name", null);
    // An adopted member has no intent: changed without a committed link, a later deactivation
    // would find nothing to remove.
    refuseLinks(true);
    try (ReconcileLoop loop = h.newWiring(h.http, kind -> { }).loop()) {
      loop.runOnce();

      assertThat(new LinkStore(h.db).get(EntityType.USER, id)).isEmpty();
      assertThat(inFulcrum("taken@corp.example").firstName()).isEqualTo(before).isNotEqualTo("Okta");
      assertThat(h.fulcrum.calls().all()).noneSatisfy(c -> assertThat(c.endpoint()).startsWith("PUT"));
      assertThat(logs.events()).as("no line says a link went in").map(e -> e.getFormattedMessage())
          .noneMatch(m -> m.startsWith("Fulcrum LINK user/" + id));
    }
  }

  /**
   * Okta renames a group and takes X out of it; X's member leaves Fulcrum by hand just before the
   * member change lands, so Fulcrum refuses that change (422) after the rename went through. The
   * fresh plan has nothing left to do (Fulcrum dropped X from the group itself), and the outcome
   * still counts the rename the refused plan made.
   */
  @Test
  void aRenameMadeBeforeAMemberChangeFulcrumRefusedIsCountedInTheOutcomeOfTheReplan() {
    start();
    String x = h.okta.user("x@corp.example", "X", "X", null);
    String y = h.okta.user("y@corp.example", "Y", "Y", null);
    String crew = h.okta.group("Crew", List.of(x, y));
    h.settle();
    String mx = inFulcrum("x@corp.example").id();
    java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();
    h.restart(UserPushTest.replacing(h.http, "changeGroupMembers", args -> {
      if (changes.incrementAndGet() == 1) {
        h.http.deleteMember(mx, null); // by hand, just before the call lands
      }
      return null;
    }));
    h.okta.setGroup(crew, "Crew Renamed", List.of(y));

    Reconciled result = reconcile(ResourceKey.group(crew));

    assertThat(changes.get()).as("the refused change; the fresh plan needs none").isEqualTo(1);
    assertThat(groupNamed("Crew Renamed").memberIds()).doesNotContain(mx);
    assertThat(result.outcome()).isInstanceOfSatisfying(Outcome.Applied.class, applied ->
        assertThat(applied.actions()).extracting(Action::kind).containsExactly(Action.Kind.RENAME_GROUP));
  }

  /** A trigger that makes the database refuse to record any outcome (a claim still works). */
  private void refuseOutcomes(boolean refuse) {
    boolean postgres = h.db.dialect() == Dialect.POSTGRESQL;
    trigger(refuse, "refuse_outcome", postgres
        ? "CREATE TRIGGER refuse_outcome BEFORE UPDATE ON work FOR EACH ROW WHEN (NEW.state <> 'RUNNING') EXECUTE FUNCTION refuse()"
        : "CREATE TRIGGER refuse_outcome BEFORE UPDATE OF state ON work WHEN NEW.state <> 'RUNNING' "
            + "BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  }

  /** A trigger that makes the database refuse every new link. */
  private void refuseLinks(boolean refuse) {
    boolean postgres = h.db.dialect() == Dialect.POSTGRESQL;
    trigger(refuse, "refuse_link", postgres
        ? "CREATE TRIGGER refuse_link BEFORE INSERT ON link FOR EACH ROW EXECUTE FUNCTION refuse('no link today')"
        : "CREATE TRIGGER refuse_link BEFORE INSERT ON link BEGIN SELECT RAISE(ABORT, 'no link today'); END");
  }

  private void trigger(boolean create, String name, String createSql) {
    boolean postgres = h.db.dialect() == Dialect.POSTGRESQL;
    String table = name.equals("refuse_link") ? "link" : "work";
    List<String> sql = !create ? List.of(postgres ? "DROP TRIGGER " + name + " ON " + table : "DROP TRIGGER " + name)
        : postgres ? List.of("CREATE OR REPLACE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '%', "
            + "COALESCE(TG_ARGV[0], 'disk full'); END $$ LANGUAGE plpgsql", createSql)
        : List.of(createSql);
    h.db.write(c -> {
      for (String statement : sql) {
        c.createStatement().execute(statement);
      }
      return null;
    });
  }
}
