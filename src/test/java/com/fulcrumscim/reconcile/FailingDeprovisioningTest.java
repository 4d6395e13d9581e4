package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.ops.BridgeMetrics;
import com.fulcrumscim.ops.OpsStore;
import com.fulcrumscim.ops.StatusReport;
import com.fulcrumscim.testing.CapturedLogs;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A deprovisioning that keeps failing retries for up to the retry budget (24 h) before it is DEAD,
 * the person keeping access all that time: each failed attempt is a WARN line naming the person,
 * status lists it and needs an operator, and a gauge counts it for the shipped alert.
 */
class FailingDeprovisioningTest extends EndToEnd {
  static final String RETRYING = "DEPROVISIONING RETRYING for ";
  static final BridgeConfig CONFIG = ConfigLoader.fromSystemEnvironment().defaults();

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  private List<String> warnings() {
    return logs.events().stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.startsWith(RETRYING)).toList();
  }

  private StatusReport status() {
    return StatusReport.read(CONFIG, Set.of(), h.db, h.clock, "the daemon", true, null, null, null);
  }

  /** The metrics a scrape would read now. */
  private String scrape() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new BridgeMetrics(registry, new OpsStore(h.db), h.clock);
    return registry.scrape();
  }

  private String adaLeavesWhileFulcrumKeepsHerMember() {
    start();
    String ada = h.okta.userNamed("ada", "ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.fulcrum.faults().deletesIgnored(true);
    h.okta.set(ada, "active", 0);
    h.runOnce();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.RETRYING);
    return ada;
  }

  @Test
  void eachFailedRemovalAttemptIsAWarnLineNamingThePersonWhoKeepsAccessAndTheError() {
    String ada = adaLeavesWhileFulcrumKeepsHerMember();

    assertThat(warnings()).singleElement().satisfies(m -> assertThat(m)
        .startsWith(RETRYING + "user/" + ada + ", user ada (ada@corp.example): ")
        .contains("but still has it", "The person KEEPS ACCESS until it succeeds", "attempt 1 failed", "retry budget of 24h"));
  }

  /** Ada pushed, then deactivated in Okta while every Fulcrum call fails; nothing run since. */
  private String adaLeavesWhileFulcrumErrs() {
    start();
    String ada = h.okta.userNamed("ada", "ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.fulcrum.faults().errorShare(1.0);
    h.okta.set(ada, "active", 0);
    return ada;
  }

  @Test
  void aRemovalFailingOnFulcrumErrorsIsAWarnLineToo() {
    String ada = adaLeavesWhileFulcrumErrs();

    h.runOnce();

    assertThat(warnings()).singleElement().asString().startsWith(RETRYING + "user/" + ada + ", user ada (ada@corp.example): ");
  }

  @Test
  void aGroupMemberRemovalThatFailsNamesTheGroupAndThePeopleKeepingIt() {
    Crew c = adaAndBobInCrew();
    h.fulcrum.faults().errorShare(1.0);
    bobLeaves(c);

    h.runOnce();

    assertThat(warnings()).singleElement().asString().startsWith(RETRYING + "group/" + c.crew() + ", group Crew: ")
        .contains("The people Okta took out of it KEEP ACCESS until it succeeds");
  }

  @Test
  void statusListsAFailingRemovalWithThePersonAndNeedsAnOperator() {
    String ada = adaLeavesWhileFulcrumKeepsHerMember();

    StatusReport report = status();

    assertThat(report.needsAttention()).isTrue();
    assertThat(report.failingRemovals()).isEqualTo(1);
    assertThat(report.failingRemovalRows()).singleElement().satisfies(row -> {
      assertThat(row.key()).isEqualTo("user/" + ada);
      assertThat(row.lastError()).startsWith("user ada (ada@corp.example): ").contains("but still has it");
    });
  }

  @Test
  void aFailingRemovalIsTheGaugeTheShippedAlertRuleWatches() throws Exception {
    adaLeavesWhileFulcrumKeepsHerMember();
    assertThat(scrape()).contains("fulcrum_scim_work_retrying_removals 1.0");
    assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("etc/fulcrum-scim-alerts.yml")))
        .contains("expr: fulcrum_scim_work_retrying_removals > 0");
  }

  /** Ada pushed, then deactivated in Okta once Fulcrum refuses the token, her removal attempted: it paused the reconciler. */
  private String adaLeavesWhileFulcrumRefusesTheToken() {
    start();
    String ada = h.okta.userNamed("ada", "ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.fulcrum.faults().revokeToken();
    h.okta.set(ada, "active", 0);
    h.runOnce();
    assertThat(h.pause.reason()).isPresent();
    assertThat(h.row(ResourceKey.user(ada)).attempts()).as("the pause spends no attempt").isZero();
    return ada;
  }

  @Test
  void aRemovalAttemptARefusedTokenCutShortIsAWarnLineSayingItWaitsForThePause() {
    String ada = adaLeavesWhileFulcrumRefusesTheToken();

    assertThat(warnings()).singleElement().satisfies(m -> assertThat(m)
        .startsWith(RETRYING + "user/" + ada + ", user ada (ada@corp.example): ")
        .contains("401", "The person KEEPS ACCESS until it succeeds: the reconciler is paused, so it waits (no attempt spent)",
            "lists it under \"Removals waiting\""));
  }

  @Test
  void statusListsARemovalWaitingOnThePauseWithThePerson() {
    String ada = adaLeavesWhileFulcrumRefusesTheToken();

    StatusReport report = status();

    assertThat(report.failingRemovals()).isZero();
    assertThat(report.waitingRemovals()).isEqualTo(1);
    assertThat(report.waitingRemovalRows()).singleElement().satisfies(row -> {
      assertThat(row.key()).isEqualTo("user/" + ada);
      assertThat(row.lastError()).isEqualTo("user ada (ada@corp.example): waiting for the reconciler's pause to end");
    });
  }

  @Test
  void aRemovalWaitingOnThePauseCountsInTheGaugeTheShippedAlertRuleWatches() {
    adaLeavesWhileFulcrumRefusesTheToken();
    assertThat(scrape()).contains("fulcrum_scim_work_retrying_removals 1.0");
  }

  @Test
  void aRemovalNoLongerWaitsOnceThePauseEnds() {
    adaLeavesWhileFulcrumRefusesTheToken();
    h.fulcrum.faults().restoreToken();

    h.settle();

    assertThat(new OpsStore(h.db).waitingRemovals()).isZero();
  }

  @Test
  void aUserReactivatedWhileHerRemovalFailsIsNoFailingRemovalWhenHerNextAttemptFailsToo() {
    String ada = adaLeavesWhileFulcrumErrs();
    h.runOnce();
    h.okta.set(ada, "active", 1); // Okta reactivates her while Fulcrum still fails

    h.clock.tick(java.time.Duration.ofHours(1));
    h.runOnce();

    assertThat(h.row(ResourceKey.user(ada))).satisfies(row -> {
      assertThat(row.state()).isEqualTo(WorkState.RETRYING);
      assertThat(row.attempts()).isPositive();
    });
    assertThat(new OpsStore(h.db).failingRemovals()).isZero();
    assertThat(warnings()).as("only the deactivation's attempt").hasSize(1);
  }

  /** review-s16a F2: Entra sends profile pushes for disabled users; each dropped the failing removal until it failed again. */
  @Test
  void aFailingRemovalStaysFailingSinceItsFirstFailureWhenOktaEditsTheLeaver() {
    String ada = adaLeavesWhileFulcrumErrs();
    h.runOnce();
    java.time.Instant firstFailure = h.row(ResourceKey.user(ada)).firstFailureAt();
    h.clock.tick(java.time.Duration.ofMinutes(10));

    h.okta.set(ada, "family_name", "Byron");

    StatusReport report = status();
    assertThat(report.failingRemovals()).isEqualTo(1);
    assertThat(report.failingRemovalRows()).singleElement().satisfies(row -> {
      assertThat(row.key()).isEqualTo("user/" + ada);
      assertThat(row.since()).isEqualTo(firstFailure);
    });
    assertThat(scrape()).as("the alert's clock runs on").contains("fulcrum_scim_work_retrying_removals 1.0");
  }

  @Test
  void aFailingRemovalIsDeadPastTheRetryBudgetThoughOktaEditedTheLeaverMeanwhile() {
    String ada = adaLeavesWhileFulcrumErrs();
    h.runOnce();
    deadAfter25HoursThoughOktaEditedHerAt20(ada);
  }

  /** Okta edits {@code ada} 20 h into her removal's budget of 24 h, which is run again 5 h later. */
  private void deadAfter25HoursThoughOktaEditedHerAt20(String ada) {
    h.clock.tick(java.time.Duration.ofHours(20));
    h.okta.set(ada, "family_name", "Byron");
    h.runOnce();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.RETRYING);

    h.clock.tick(java.time.Duration.ofHours(5));
    h.runOnce();

    assertThat(h.row(ResourceKey.user(ada)).state()).as("25 h in all, budget 24 h").isEqualTo(WorkState.DEAD);
  }

  @Test
  void aRemovalThatSucceedsAtItsNextAttemptNoLongerCounts() {
    String ada = adaLeavesWhileFulcrumKeepsHerMember();
    h.fulcrum.faults().deletesIgnored(false);

    h.clock.tick(java.time.Duration.ofHours(1));
    h.settle();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(new OpsStore(h.db).failingRemovals()).isZero();
  }

  /** Ada pushed, then deactivated in Okta while Fulcrum answers every call 429 (Retry-After 5 min), her removal tried once. */
  private String adaLeavesWhileFulcrumRateLimits() {
    start();
    String ada = h.okta.userNamed("ada", "ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.fulcrum.faults().rateLimitBurst(1_000_000, java.time.Duration.ofMinutes(5));
    h.okta.set(ada, "active", 0);
    h.runOnce();
    assertThat(h.row(ResourceKey.user(ada))).satisfies(row -> {
      assertThat(row.state()).isEqualTo(WorkState.RETRYING);
      assertThat(row.attempts()).as("a 429 spends no attempt").isZero();
    });
    return ada;
  }

  @Test
  void statusListsARemovalTheRateLimitHoldsBackAsWaitingWithTheReason() {
    String ada = adaLeavesWhileFulcrumRateLimits();

    StatusReport report = status();

    assertThat(report.needsAttention()).isTrue();
    assertThat(report.waitingRemovalRows()).singleElement().satisfies(row -> {
      assertThat(row.key()).isEqualTo("user/" + ada);
      assertThat(row.lastError()).startsWith("user ada (ada@corp.example): ").contains("Fulcrum's rate limit: 429, retry after 300s");
    });
  }

  @Test
  void aRemovalTheRateLimitHoldsBackCountsInTheGaugeTheShippedAlertRuleWatches() {
    adaLeavesWhileFulcrumRateLimits();
    assertThat(scrape()).contains("fulcrum_scim_work_retrying_removals 1.0");
  }

  @Test
  void aRemovalTheRateLimitHoldsBackIsOneWarnLinePerCoolDownNotPerRun() {
    String ada = adaLeavesWhileFulcrumRateLimits();
    h.queue.nudge(ResourceKey.user(ada), true); // a resync's nudge: run again inside the cool-down, refused here
    h.runOnce();
    assertThat(warnings()).singleElement().asString().startsWith(RETRYING + "user/" + ada + ", user ada (ada@corp.example): ")
        .contains("rate limit", "The person KEEPS ACCESS until it succeeds", "no attempt spent", "Removals waiting");

    h.clock.tick(java.time.Duration.ofMinutes(6));
    h.runOnce();

    assertThat(warnings()).as("the next cool-down's").hasSize(2);
  }

  /** review-s14b F2: a real clock moves between the pacer's read and the loop's, so each run's hold ends elsewhere. */
  @Test
  void aRemovalTheRateLimitHoldsBackIsOneWarnLinePerCoolDownWhenTimeMovesWithinARun() {
    String ada = adaLeavesWhileFulcrumRateLimits();
    h.clock.tickOnEachRead(java.time.Duration.ofMillis(1));
    h.queue.nudge(ResourceKey.user(ada), true);
    h.runOnce();
    h.clock.tickOnEachRead(java.time.Duration.ZERO);

    assertThat(warnings()).as("one WARN per row per cool-down, however often a nudge runs it").hasSize(1);
  }

  @Test
  void aRemovalTheRateLimitHoldsBackLongerThanTheRetryBudgetIsDead() {
    String ada = adaLeavesWhileFulcrumRateLimits();

    h.clock.tick(java.time.Duration.ofHours(25));
    h.runOnce();

    assertThat(h.row(ResourceKey.user(ada))).satisfies(row -> {
      assertThat(row.state()).isEqualTo(WorkState.DEAD);
      assertThat(row.lastError()).contains("429", "retry budget of 24h");
    });
    assertThat(new OpsStore(h.db).deadRemovals()).isEqualTo(1);
  }

  /** review-s14b F3: Okta and Entra push profile changes of deactivated users; each restarted the hold's budget. */
  @Test
  void aRemovalTheRateLimitHoldsBackIsDeadPastTheRetryBudgetThoughOktaEditedTheLeaverMeanwhile() {
    deadAfter25HoursThoughOktaEditedHerAt20(adaLeavesWhileFulcrumRateLimits());
  }

  /** A reactivation is a new desired state, no removal: nothing of the hold's budget is left to it. */
  @Test
  void aUserReactivatedWhileTheRateLimitHoldsHerRemovalBackIsNoRemovalAndHasNoBudgetRunning() {
    String ada = adaLeavesWhileFulcrumRateLimits();
    h.clock.tick(java.time.Duration.ofHours(20));
    h.okta.set(ada, "active", 1);

    h.runOnce();
    h.clock.tick(java.time.Duration.ofHours(5));
    h.runOnce();

    assertThat(h.row(ResourceKey.user(ada))).satisfies(row -> {
      assertThat(row.state()).isNotEqualTo(WorkState.DEAD);
      assertThat(row.removal()).isFalse();
      assertThat(row.firstFailureAt()).isNull();
    });
    assertThat(new OpsStore(h.db).waitingRemovals()).isZero();
  }

  @Test
  void aShortRateLimitSpendsNoAttemptAndTheRemovalGoesThroughAfterIt() {
    String ada = adaLeavesWhileFulcrumRateLimits();
    h.fulcrum.faults().rateLimitBurst(0, java.time.Duration.ofSeconds(1));

    h.settle();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(new OpsStore(h.db).waitingRemovals()).isZero();
  }
}
