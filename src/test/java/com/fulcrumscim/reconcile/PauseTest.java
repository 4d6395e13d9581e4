package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.db.Migrations;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.CapturedLogs;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A row's retry budget is counted from its first failure, and the time the reconciler is paused (a
 * refused token) is given back to it when the pause ends: nothing could be tried meanwhile. So a
 * removal that failed once before a weekend's pause is still retried after it, and one that keeps
 * failing still ends DEAD once it has been tried for the whole budget.
 */
class PauseTest extends EndToEnd {
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  static final String ADA = "ada@corp.example";
  static final Duration BUDGET = Duration.ofHours(24);
  static final Duration WEEKEND = Duration.ofHours(48);

  String ada;

  /** Ada's removal failed once (a proxy answers 204 to the DELETE and removes nothing); returns when. */
  Instant adasRemovalFailedOnce() {
    start();
    ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    h.fulcrum.faults().deletesIgnored(true);
    h.okta.set(ada, "active", 0);
    h.runOnce();
    WorkItem row = adasRow();
    assertThat(row.state()).isEqualTo(WorkState.RETRYING);
    assertThat(row.attempts()).isEqualTo(1);
    return row.firstFailureAt();
  }

  WorkItem adasRow() {
    return h.row(ResourceKey.user(ada));
  }

  /** Fulcrum refuses the token at Ada's next attempt, which pauses the reconciler; returns when. */
  Instant tokenRevokedAtAdasNextAttempt() {
    h.fulcrum.faults().revokeToken();
    h.clock.set(adasRow().nextAttemptAt());
    h.runOnce();
    assertThat(h.pause.reason()).hasValueSatisfying(r -> assertThat(r).contains("401"));
    return h.clock.instant();
  }

  /** A row failed once (Fulcrum answered 503), as the queue records it, ten minutes ago; returns when. */
  Instant aRowFailedOnce() {
    start();
    h.queue.enqueue(ResourceKey.user("u-failing"));
    Instant failed = h.clock.instant();
    h.queue.retry(h.queue.claim(1).get(0), failed.plusSeconds(5), "Fulcrum answered 503", true);
    h.clock.tick(Duration.ofMinutes(10));
    return failed;
  }

  Instant firstFailureOf(String scimId) {
    return h.row(ResourceKey.user(scimId)).firstFailureAt();
  }

  @Test
  void aRemovalThatFailedBeforeAPauseLongerThanTheBudgetIsRetriedAfterItNotDead() {
    Instant failed = adasRemovalFailedOnce();
    Instant pausedAt = tokenRevokedAtAdasNextAttempt();
    h.clock.tick(WEEKEND);
    assertThat(h.runOnce().skipped()).startsWith("paused");

    h.fulcrum.faults().restoreToken();
    h.runOnce(); // the probe resumes, and Ada's removal fails again

    WorkItem row = adasRow();
    assertThat(row.state()).as(row.lastError()).isEqualTo(WorkState.RETRYING);
    assertThat(row.attempts()).isEqualTo(2);
    assertThat(Duration.between(failed, row.firstFailureAt())).as("the time paused, given back")
        .isCloseTo(Duration.between(pausedAt, h.clock.instant()), Duration.ofSeconds(1));
    assertThat(h.pause.reason()).isEmpty();
  }

  @Test
  void aRemovalThatKeepsFailingAfterAPauseStillEndsDeadOnceTriedForTheWholeBudget() {
    adasRemovalFailedOnce();
    tokenRevokedAtAdasNextAttempt();
    h.clock.tick(WEEKEND);
    h.fulcrum.faults().restoreToken();
    h.runOnce();
    Instant budgetFrom = adasRow().firstFailureAt();

    h.settle(500);

    WorkItem row = adasRow();
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("still has it").contains("retry budget of 24h");
    assertThat(Duration.between(budgetFrom, row.updatedAt())).as("tried for the budget after the pause, no longer")
        .isBetween(BUDGET, BUDGET.plusMinutes(1));
    assertThat(h.fulcrum.memberByEmail(ADA)).isPresent();
  }

  @Test
  void aRefusedTokensPauseSaysToPutAnOwnersTokenInTheConfigAndRestart() {
    // review-s8c F5: "invalid or revoked" alone left the operator to guess that a reload does not do it
    adasRemovalFailedOnce();
    tokenRevokedAtAdasNextAttempt();
    String told = "put a valid API token of a Fulcrum Owner in fulcrum.api_token (or the file fulcrum.api_token_file names)"
        + " and restart: `systemctl restart fulcrum-scim` (a reload does not read it)";
    assertThat(h.pause.reason()).hasValueSatisfying(r -> assertThat(r).as("what status and /healthz show").contains(told));
    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m).startsWith("RECONCILER PAUSED: ").contains(told));
  }

  /**
   * The operator puts a new token in and restarts: if Fulcrum refuses that one too, the new process
   * says so at ERROR, once, rather than a start that reads as if the token now works.
   */
  @Test
  void aDaemonRestartedOnATokenStillRefusedSaysOnceAtErrorThatItIsStillPaused() {
    adasRemovalFailedOnce();
    tokenRevokedAtAdasNextAttempt();
    h.restart(h.http);
    int before = logs.events().size();

    h.runOnce();
    h.runOnce();

    assertThat(logs.events().subList(before, logs.events().size()).stream()
        .filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage))
        .singleElement().asString().startsWith("RECONCILER PAUSED: ").contains("recorded before this process took over")
        .contains("its first probe fails").contains("401");
  }

  @Test
  void aDaemonRestartedDuringAPauseGivesBackTheTimeSinceThePauseBegan() {
    Instant failed = adasRemovalFailedOnce();
    Instant pausedAt = tokenRevokedAtAdasNextAttempt();
    h.clock.tick(Duration.ofHours(20));
    h.restart(h.http); // a crash, or a restart with a token that is refused too
    h.clock.tick(Duration.ofHours(28));
    assertThat(h.runOnce().skipped()).startsWith("paused");

    h.fulcrum.faults().restoreToken();
    h.runOnce();

    assertThat(adasRow().state()).isEqualTo(WorkState.RETRYING);
    assertThat(Duration.between(failed, adasRow().firstFailureAt()))
        .isCloseTo(Duration.between(pausedAt, h.clock.instant()), Duration.ofSeconds(1));
  }

  /**
   * Every node runs a loop, and only the lease holder's cycles claim work. A node started before
   * another paused takes over from it and finds the token accepted again: it ends the stored pause,
   * giving its time back, rather than going on as if none stood.
   */
  @Test
  void aNodeThatTakesOverFromAPausedOneEndsItsPauseAndGivesTheTimeBack() {
    Instant failed = adasRemovalFailedOnce();
    try (ReconcileLoop standby = h.newLoop(h.http)) {
      Instant pausedAt = tokenRevokedAtAdasNextAttempt();
      h.clock.tick(WEEKEND);
      h.fulcrum.faults().restoreToken();

      standby.runOnce();

      assertThat(h.pause.reason()).isEmpty();
      assertThat(adasRow().state()).as(adasRow().lastError()).isEqualTo(WorkState.RETRYING);
      assertThat(Duration.between(failed, adasRow().firstFailureAt()))
          .isCloseTo(Duration.between(pausedAt, h.clock.instant()), Duration.ofSeconds(1));
    }
  }

  /**
   * A node whose token Fulcrum refused while it led (it then handed the lease over) leads again after
   * another node resumed: its loop was left paused, and a probe refused again recorded nothing, so
   * status and every /healthz said "running" while no change reached Fulcrum.
   */
  @Test
  void aNodeRefusedWhileItLedThatLeadsAgainRecordsThePauseAgainWhenItsProbeIsRefused() {
    adasRemovalFailedOnce();
    tokenRevokedAtAdasNextAttempt();
    new Pause(h.db, h.queue, h.clock).resume(); // the node that led meanwhile

    h.loop().tookOver();
    h.runOnce();

    assertThat(h.pause.reason()).hasValueSatisfying(r -> assertThat(r).contains("401"));
    assertThat(h.loop().refusedHere()).isPresent();
  }

  /**
   * review-s11f F2: a leader hands the lease over only on a refusal of its own, not on the pause of
   * the node it took the lease from while its own probe cannot reach Fulcrum.
   */
  @Test
  void aPauseAnotherNodeRecordedIsNoRefusalOfThisNodesWhileItsProbeCannotReachFulcrum() {
    adasRemovalFailedOnce();
    try (ReconcileLoop standby = h.newLoop(h.http)) {
      tokenRevokedAtAdasNextAttempt();
      h.fulcrum.faults().restoreToken().errorShare(1.0);

      standby.runOnce();

      assertThat(standby.paused()).isTrue();
      assertThat(standby.refusedHere()).isEmpty();
    }
  }

  @Test
  void thePausedTimeIsGivenBackOnceThoughAnotherNodeAndThenThisOneResume() {
    Instant failed = aRowFailedOnce();
    h.pause.pause("Fulcrum answered 401", Optional.empty());
    h.clock.tick(WEEKEND);

    new Pause(h.db, h.queue, h.clock).resume();
    h.clock.tick(Duration.ofMinutes(1));
    h.pause.resume();

    assertThat(firstFailureOf("u-failing")).isEqualTo(failed.plus(WEEKEND));
  }

  @Test
  void aPauseWrittenAgainWhileItLastsKeepsWhenItBegan() {
    Instant failed = aRowFailedOnce();
    h.pause.pause("Fulcrum answered 401", Optional.empty());
    h.clock.tick(Duration.ofHours(1));
    new Pause(h.db, h.queue, h.clock).pause("Fulcrum answered 401 again", Optional.empty()); // another node
    h.clock.tick(Duration.ofHours(47));

    h.pause.resume();

    assertThat(firstFailureOf("u-failing")).isEqualTo(failed.plus(WEEKEND));
  }

  /**
   * A backup taken while paused brings the pause back with it, which stands (the token may still be
   * refused), but not its start: the days between backup and restore were no pause of the restored
   * database's, and given back they would keep a failing deprovisioning from going DEAD for as long.
   */
  @Test
  void aRestoredPauseGivesBackOnlyTheTimeSinceTheRestore() {
    start();
    h.clock.set(Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.MILLIS)); // the backup's day
    h.queue.enqueue(ResourceKey.user("u-failing"));
    Instant failed = h.clock.instant();
    h.queue.retry(h.queue.claim(1).get(0), failed.plusSeconds(5), "Fulcrum answered 503", true);
    h.pause.pause("Fulcrum answered 401", Optional.empty());

    Instant restored = Instant.now();
    h.db.write(c -> { // what restore does to its copy, and db mark-restored after a restore by hand
      Migrations.forgetTheBackupsProcesses(c, h.db.dialect());
      return null;
    });
    h.clock.set(restored.plus(Duration.ofHours(1)));
    assertThat(h.pause.reason()).as("the pause stands").isPresent();
    h.pause.resume();

    assertThat(Duration.between(failed, firstFailureOf("u-failing"))).isCloseTo(Duration.ofHours(1), Duration.ofSeconds(10));
  }

  @Test
  void aPauseAfterAnEarlierOneEndedCountsFromItsOwnStart() {
    Instant failed = aRowFailedOnce();
    h.pause.pause("Fulcrum answered 401", Optional.empty());
    h.clock.tick(Duration.ofHours(2));
    h.pause.resume();
    h.clock.tick(Duration.ofHours(10));
    h.pause.pause("Fulcrum answered 401", Optional.empty());
    h.clock.tick(Duration.ofHours(3));

    h.pause.resume();

    assertThat(firstFailureOf("u-failing")).isEqualTo(failed.plus(Duration.ofHours(5)));
  }
}
