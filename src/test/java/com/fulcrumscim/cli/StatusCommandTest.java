package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.db.StoreLock;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.ops.FulcrumCallLog;
import com.fulcrumscim.reconcile.Action;
import com.fulcrumscim.resync.LastResync;
import com.fulcrumscim.resync.ReportJson;
import com.fulcrumscim.resync.ResyncReport;
import com.fulcrumscim.resync.Resync;
import com.fulcrumscim.resync.ResyncService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusCommandTest {
  @TempDir Path dir;
  OpsCliRun cli;
  /** The running daemon's hold on the file ({@link #daemonRuns}): without it, its lease is a killed daemon's. */
  StoreLock serve;

  @AfterEach
  void stopServing() {
    if (serve != null) {
      serve.close();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    cli = new OpsCliRun(dir);
  }

  @Test
  void aQuietBridgeExitsZeroAndNamesTheEmulatorAsTarget() {
    daemonRuns();
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .containsPattern("Keeping access\\s+none")
        .containsPattern("Removals failing\\s+none")
        .containsPattern("Removals waiting\\s+none")
        .containsPattern("Target\\s+embedded emulator")
        .containsPattern("Reconciler\\s+running")
        .containsPattern("Oldest pending\\s+none")
        .containsPattern("Last successful apply\\s+never")
        .containsPattern("Fulcrum calls, last hour\\s+0 of 5000")
        .containsPattern("Dead rows\\s+none");
  }

  @Test
  void groupsTheBridgeManagesWhileGroupsPushIsOffAreAWarning() throws Exception {
    cli = new OpsCliRun(dir, "groups:\n  push: false\n");
    try (Database db = cli.openDatabase()) {
      OpsCliRun.link(db, "GROUP", "g-crew", "fg-crew");
      OpsCliRun.link(db, "GROUP", "g-ops", "fg-ops");
    }
    assertThat(cli.runWithConfig("status").out()).containsPattern("WARNING\\s+groups.push is false, yet the bridge manages"
        + " 2 Fulcrum groups it pushed earlier: they no longer follow Okta, so people Okta takes out of them keep the access");
  }

  @Test
  void groupsTheBridgeManagesWhileGroupsPushIsOnAreNoWarning() {
    try (Database db = cli.openDatabase()) {
      OpsCliRun.link(db, "GROUP", "g-crew", "fg-crew");
    }
    assertThat(cli.runWithConfig("status").out()).doesNotContain("WARNING", "groups.push");
  }

  @Test
  void theWriterLeaseHolderIsShownOrThatItIsFree() {
    cli.openDatabase().close();
    assertThat(cli.runWithConfig("status").out()).containsPattern("Writer lease\\s+free: no daemon or command applies");
    String holder;
    try (Database db = cli.openDatabase()) {
      WriterLease daemon = new WriterLease(db, Clock.systemUTC(), WriterLease.Role.DAEMON);
      assertThat(daemon.tryHold()).isTrue();
      holder = daemon.me();
    }
    assertThat(cli.runWithConfig("status").out()).containsPattern("Writer lease\\s+the daemon \\(" + java.util.regex.Pattern.quote(holder) + ", until ");
  }

  /** Its node as the node's record names it (host:port), and since its take-over; nodes of differing ha.lease_ttl a warning. */
  @Test
  void theWriterLeaseHoldersNodeIsNamedAndDifferingLeaseTtlsAreAWarning() {
    try (Database db = cli.openDatabase()) {
      serve = StoreLock.take(db.location(), "serve");
      WriterLease daemon = lease(db, WriterLease.Role.DAEMON);
      assertThat(daemon.tryHold()).isTrue();
      long now = System.currentTimeMillis();
      // two nodes' records as NodeTokens writes them: when, the token hashes, the node's ha.lease_ttl in ms
      new SettingStore(db).write(java.util.Map.of(
          "scim.node_tokens.node-a:8443/" + daemon.me(), java.util.Optional.of(now + ";;15000"),
          "scim.node_tokens.node-b:8443/2@node-b/bbbb", java.util.Optional.of(now + ";;30000")));
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.out()).containsPattern("Writer lease\\s+the daemon \\(.*; node node-a:8443, holding it since 20")
        .containsPattern("WARNING\\s+ha.lease_ttl differs between running nodes: 15s on node-a:8443, 30s on node-b:8443");
  }

  @Test
  void changesWaitingWhileNoDaemonHoldsTheWriterLeaseNeedAnOperator() throws Exception {
    try (Database db = cli.openDatabase()) {
      new WorkQueue(db, Clock.systemUTC()).enqueue(ResourceKey.user("u1"));
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).containsPattern("Reconciler\\s+NOT RUNNING: no daemon holds the writer lease \\(none runs, or one is "
        + "starting or taking over\\), so no change reaches Fulcrum until `fulcrum-scim serve` holds it\n");
    assertThat(new ObjectMapper().readTree(cli.runWithConfig("status", "--json").out()).get("daemonHoldsLease").asBoolean())
        .isFalse();
  }

  @Test
  void anOperatorCommandHoldingTheWriterLeaseIsNoDaemon() {
    try (Database db = cli.openDatabase()) {
      new WorkQueue(db, Clock.systemUTC()).enqueue(ResourceKey.user("u1"));
      assertThat(lease(db, WriterLease.Role.COMMAND).tryHold()).isTrue();
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).containsPattern("Reconciler\\s+NOT RUNNING").containsPattern("Writer lease\\s+an operator command");
  }

  @Test
  void withNoDaemonAndNothingWaitingStatusSaysSoAndExitsZero() {
    cli.openDatabase().close();
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).containsPattern("Reconciler\\s+NOT RUNNING: no daemon holds the writer lease");
  }

  @Test
  void aPauseLeftByADaemonThatNoLongerRunsIsShownAfterNotRunning() {
    try (Database db = cli.openDatabase()) {
      db.write(c -> c.createStatement().executeUpdate(
          "INSERT INTO setting (key, value) VALUES ('reconciler.paused', 'Fulcrum answered 401: token revoked')"));
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).containsPattern("Reconciler\\s+NOT RUNNING: .*; and PAUSED when one last ran: Fulcrum answered 401");
  }

  @Test
  void backlogIsCountedByState() {
    try (Database db = cli.openDatabase()) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      queue.enqueue(ResourceKey.user("u1"));
      queue.enqueue(ResourceKey.user("u2"));
      queue.enqueue(ResourceKey.group("g1"));
      queue.done(queue.claim(1).get(0));
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.out()).contains("pending 2, running 0, retrying 0, done 1, dead 0, held 0, skipped 0");
  }

  @Test
  void theLastScheduledResyncShowsWhatItLeftAndWhyItStoppedOrWhyItCouldNotRun() {
    Instant at = Instant.parse("2026-03-01T03:00:00Z");
    String held = "1 orphan member removal held by the mass-removal guard";
    try (Database db = cli.openDatabase()) {
      new SettingStore(db).put(ResyncService.LAST_REPORT, new ReportJson().write(new LastResync(at, at,
          new ResyncReport.Totals(40, 2, 2, 0, 0, 1, 1, 0, 0), List.of(), held), false));
    }
    String stopped = cli.runWithConfig("status").out();
    try (Database db = cli.openDatabase()) {
      new SettingStore(db).put(ResyncService.LAST_REPORT, new ReportJson().write(new LastResync(at, at, null, List.of(),
          "Fulcrum unreachable"), false));
    }
    String failed = cli.runWithConfig("status").out();

    assertThat(stopped).containsPattern("Last scheduled resync\\s+2026-03-01T03:00:00Z: 40 checked, 1 fixed, "
        + "1 drift remaining; stopped early: " + held);
    assertThat(failed).containsPattern("Last scheduled resync\\s+2026-03-01T03:00:00Z: could not run: Fulcrum unreachable");
  }

  @Test
  void lastSuccessfulApplyIsTheNewestOkInTheReconcilersAudit() {
    try (Database db = cli.openDatabase()) {
      OpsCliRun.audit(db, Instant.parse("2026-03-01T10:00:00Z"), "USER", "u1", "CREATE_MEMBER", "ok", "");
      OpsCliRun.audit(db, Instant.parse("2026-03-01T11:00:00Z"), "USER", "u2", "CREATE_MEMBER", "422 rejected", "");
    }
    assertThat(cli.runWithConfig("status").out()).containsPattern("Last successful apply\\s+2026-03-01T10:00:00Z \\(");
  }

  @Test
  void deadRowsAreListedWithTheirErrorAndExitThree() {
    try (Database db = cli.openDatabase()) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      queue.enqueue(ResourceKey.user("u-bob"));
      queue.dead(queue.claim(1).get(0), "422 rejected: role 'Pilot' does not exist");
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).containsPattern("user/u-bob\\s+1\\s+\\S+\\s+422 rejected: role 'Pilot' does not exist");
  }

  @Test
  void orphanRemovalsTheLastResyncHeldAreShownAndExitThree() {
    try (Database db = cli.openDatabase()) {
      new SettingStore(db).put(Resync.HELD_ORPHANS, "3");
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).containsPattern("Held orphan removals\\s+3 orphan members HELD by the mass-removal guard")
        .contains("resync --approve-removals");
  }

  /** A person Okta took away whom the last resync found still with access: nothing else would page anyone. */
  @Test
  void peopleTheLastResyncFoundKeepingAccessAreShownAndExitThree() {
    try (Database db = cli.openDatabase()) {
      new SettingStore(db).put(Resync.KEEPS_ACCESS, "2");
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).containsPattern("Keeping access\\s+2 deactivated or deleted in Okta but STILL WITH ACCESS in Fulcrum")
        .contains("resync --dry-run");
  }

  /** A dry run since then may find no one: status says which apply the count is from, and what names them. */
  @Test
  void theKeepingAccessCountSaysWhichResyncApplyItComesFrom() {
    try (Database db = cli.openDatabase()) {
      new SettingStore(db).put(Resync.KEEPS_ACCESS, "1");
      // a resync's clock gives nanoseconds; status shows seconds, as the README does
      new SettingStore(db).put(Resync.KEEPS_ACCESS_AT, "2026-12-06T23:00:00.616539714Z");
    }
    assertThat(cli.runWithConfig("status").out()).containsPattern("Keeping access\\s+1 deactivated or deleted in Okta but"
        + " STILL WITH ACCESS in Fulcrum, as the last resync apply found at 2026-12-06T23:00:00Z, left to an operator: that"
        + " run's ERROR lines `resync: user ... keeps access: ...` name them");
  }

  @Test
  void deadRowsThatTakeAccessAwayAreCountedApart() {
    try (Database db = cli.openDatabase()) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      db.write(c -> {
        queue.enqueue(c, ResourceKey.user("u-leaver"), true);
        queue.enqueue(c, ResourceKey.user("u-joiner"), false);
        return null;
      });
      queue.claim(2).forEach(w -> queue.dead(w, "gave up"));
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).containsPattern("Dead rows\\s+2 .*; 1 of them take access away: those people KEEP ACCESS");
  }

  /** A deprovisioning retrying for up to its 24 h budget: its person has access all that time, long before DEAD. */
  @Test
  void removalsThatKeepFailingAreListedAndExitThree() {
    try (Database db = cli.openDatabase()) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      db.write(c -> {
        queue.enqueue(c, ResourceKey.user("u-fay"), true);
        return null;
      });
      queue.retry(queue.claim(1).get(0), Instant.now().plusSeconds(60), "GET /api/v2/memberships.json: 500 server error", true);
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).containsPattern("Removals failing\\s+1 deprovisioning RETRYING after failed attempts \\(below\\): these"
        + " people KEEP ACCESS until one succeeds")
        .containsPattern("KEY\\s+ATTEMPTS\\s+FAILING SINCE")
        .containsPattern("user/u-fay\\s+1\\s+\\S+\\s+user/u-fay: GET /api/v2/memberships.json: 500 server error");
  }

  @Test
  void heldRemovalsAreCountedListedAndExitThree() {
    try (Database db = cli.openDatabase()) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      queue.enqueue(ResourceKey.user("u-gone"));
      queue.hold(queue.claim(1).get(0), "23 removals in the last 1h and 1 pending, of 40 managed members");
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).containsPattern("Held removals\\s+1 HELD by the mass-removal guard")
        .contains("fulcrum-scim approve-removals")
        .containsPattern("user/u-gone\\s+0\\s+\\S+\\s+23 removals in the last 1h");
  }

  @Test
  void theTokenOwnersSkippedUserIsAWarningThatDoesNotExitThree() {
    try (Database db = cli.openDatabase()) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      queue.enqueue(ResourceKey.user("u-olive"));
      queue.record(queue.claim(1).get(0), new WorkQueue.Fate.Skipped("user olive is managed as olive@corp.example, "
          + "the Fulcrum API token's owner, whose membership the bridge never changes"), java.util.List.of());
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).containsPattern("Skipped\\s+1 left alone on purpose")
        .containsPattern("user/u-olive\\s+0\\s+\\S+\\s+user olive is managed as olive@corp.example, the Fulcrum API token's owner");
  }

  @Test
  void moreDeadRowsThanStatusListsPointToAJournalListThatShowsTheRest() {
    try (Database db = cli.openDatabase()) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      for (int i = 0; i < 55; i++) {
        queue.enqueue(ResourceKey.user("u-" + i));
      }
      queue.claim(55).forEach(w -> queue.dead(w, "422 rejected"));
    }
    OpsCliRun.Result status = cli.runWithConfig("status");
    assertThat(status.out()).contains("... and 5 more: `fulcrum-scim journal list --state dead --limit 55`");

    OpsCliRun.Result list = cli.runWithConfig("journal", "list", "--state", "dead", "--limit", "55");
    assertThat(list.out().lines().filter(line -> line.contains("DEAD"))).hasSize(55);
  }

  @Test
  void moreSkippedRowsThanStatusListsAreCountedAll() {
    try (Database db = cli.openDatabase()) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      for (int i = 0; i < 70; i++) {
        queue.enqueue(ResourceKey.user("u-" + i));
      }
      queue.claim(70).forEach(w -> queue.record(w, new WorkQueue.Fate.Skipped("the token owner"), List.of()));
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.out()).containsPattern("Skipped\\s+70 left alone on purpose")
        .contains("... and 20 more: `fulcrum-scim journal list --state skipped --limit 70`");
  }

  @Test
  void removedMembersRecordsAreShownUnassignedWithoutAReassignTarget() {
    cli.openDatabase().close();
    assertThat(cli.runWithConfig("status").out())
        .containsPattern("Removed members' records\\s+left unassigned \\(users.reassign_records_to is not set\\)");
  }

  /** A config with users.reassign_records_to {@code target}, and removals audited at 10:00, 11:00, ... with these results and details. */
  void removalsWithReassignTarget(String target, String... resultsAndDetails) throws Exception {
    cli = new OpsCliRun(dir, "users:\n  reassign_records_to: " + target + "\n");
    try (Database db = cli.openDatabase()) {
      for (int i = 0; i < resultsAndDetails.length; i += 2) {
        OpsCliRun.audit(db, Instant.parse("2026-03-01T10:00:00Z").plusSeconds(3600L * i / 2), "USER", "u" + i,
            "REMOVE_MEMBER", resultsAndDetails[i], resultsAndDetails[i + 1]);
      }
    }
  }

  @Test
  void removedMembersRecordsGoToTheConfiguredMembership() throws Exception {
    removalsWithReassignTarget("m-rita", "ok", Action.RemoveMember.records("f-u1", "m-rita", "m-rita"));
    assertThat(cli.runWithConfig("status").out()).containsPattern("Removed members' records\\s+to membership m-rita\n");
  }

  @Test
  void aReassignTargetThatLeftIsShownWhenTheLastRemovalLeftRecordsUnassignedAsAWarning() throws Exception {
    removalsWithReassignTarget("m-rita",
        "ok", Action.RemoveMember.records("f-u1", "m-rita", "m-rita"),
        "ok", Action.RemoveMember.records("f-u2", null, "m-rita"),
        "500 unavailable", Action.RemoveMember.records("f-u3", "m-rita", "m-rita"));
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).containsPattern("Removed members' records\\s+LEFT UNASSIGNED: users.reassign_records_to names "
        + "m-rita, no longer in the organization \\(the last removal, 2026-03-01T11:00:00Z\\)");
    JsonNode json = new ObjectMapper().readTree(cli.runWithConfig("status", "--json").out());
    assertThat(json.get("reassignRecordsTo").asText()).isEqualTo("m-rita");
    assertThat(json.get("reassignTargetGoneAt").asText()).isEqualTo("2026-03-01T11:00:00Z");
  }

  @Test
  void aNewReassignTargetIsNotReportedGoneForTheFormerTargetsUnassignedRemoval() throws Exception {
    removalsWithReassignTarget("m-new", "ok", Action.RemoveMember.records("f-u2", null, "m-rita"));
    assertThat(cli.runWithConfig("status").out()).containsPattern("Removed members' records\\s+to membership m-new\n");
  }

  @Test
  void aPausedReconcilerIsShownWithItsReasonAndExitsThree() {
    daemonRuns();
    try (Database db = cli.openDatabase()) {
      db.write(c -> c.createStatement().executeUpdate(
          "INSERT INTO setting (key, value) VALUES ('reconciler.paused', 'Fulcrum answered 401: token revoked')"));
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).containsPattern("Reconciler\\s+PAUSED: Fulcrum answered 401: token revoked");
  }

  /** The pause spends no attempt (a refused token is nobody's failure at the row), yet the person keeps access. */
  @Test
  void aRemovalWaitingOnThePauseIsListedWithThePerson() {
    daemonRuns();
    try (Database db = cli.openDatabase()) {
      db.write(c -> {
        new WorkQueue(db, Clock.systemUTC()).enqueue(c, ResourceKey.user("u-fay"), true);
        return c.createStatement().executeUpdate(
            "INSERT INTO setting (key, value) VALUES ('reconciler.paused', 'Fulcrum answered 401: token revoked')");
      });
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).containsPattern("Removals failing\\s+none")
        .containsPattern("Removals waiting\\s+1 deprovisioning WAITING while the reconciler is PAUSED or a rate limit holds"
            + " calls back \\(below; no attempt spent\\): these people KEEP ACCESS until the pause ends \\(Reconciler above"
            + " says how\\)")
        .containsPattern("KEY\\s+ATTEMPTS\\s+WAITING SINCE")
        .containsPattern("user/u-fay\\s+0\\s+\\S+\\s+user/u-fay: waiting for the reconciler's pause to end");
  }

  /** review-s14b F4: the 429 that held it is history once the pause stops every call; the pause is what to act on. */
  @Test
  void aRemovalHeldBackByTheRateLimitThenWaitingOnThePauseSaysThePauseFirst() {
    daemonRuns();
    try (Database db = cli.openDatabase()) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      db.write(c -> {
        queue.enqueue(c, ResourceKey.user("u-fay"), true);
        return null;
      });
      queue.record(queue.claim(1).get(0), new WorkQueue.Fate.HeldBack(Instant.now().plusSeconds(300),
          "DELETE /api/v2/memberships/{id}.json: Fulcrum's rate limit: 429, retry after 300s"), List.of());
      db.write(c -> c.createStatement().executeUpdate(
          "INSERT INTO setting (key, value) VALUES ('reconciler.paused', 'Fulcrum answered 401: token revoked')"));
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.out()).containsPattern("user/u-fay\\s+0\\s+\\S+\\s+user/u-fay: waiting for the reconciler's pause to end;"
        + " held back by a rate limit before it: DELETE /api/v2/memberships/\\{id\\}.json: Fulcrum's rate limit: 429");
  }

  /** review-s14a F3: only `journal show` said Fulcrum refused calls; status showed a budget with room and nothing else. */
  @Test
  void fulcrumsCoolDownIsShownUntilWhenAndWhyWhileItLasts() throws Exception {
    daemonRuns();
    try (Database db = cli.openDatabase()) {
      new FulcrumCallLog(db, DatabaseClock.of(db, Clock.systemUTC()), 5000)
          .rateLimited("DELETE /api/v2/memberships/{id}.json", Duration.ofMinutes(5));
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).as("a cool-down alone needs no operator").isZero();
    assertThat(r.out()).containsPattern("Fulcrum cool-down\\s+NO CALLS until \\S+ \\(4m \\d+s more\\): Fulcrum answered"
        + " DELETE /api/v2/memberships/\\{id\\}.json 429 at \\S+ and asked to wait \\(its rate limit, counted per API token"
        + " user: the Owner's other scripts and integrations spend it too\\)");
    assertThat(new ObjectMapper().readTree(cli.runWithConfig("status", "--json").out()).get("fulcrumCoolDown")
        .get("endpoint").asText()).isEqualTo("DELETE /api/v2/memberships/{id}.json");
  }

  @Test
  void aCoolDownThatHasPassedIsNone() {
    daemonRuns();
    try (Database db = cli.openDatabase()) {
      new FulcrumCallLog(db, DatabaseClock.of(db, Clock.systemUTC()), 5000)
          .rateLimited("GET /api/v2/users.json", Duration.ofMillis(1));
    }
    assertThat(cli.runWithConfig("status").out()).containsPattern("Fulcrum cool-down\\s+none\n");
  }

  @Test
  void theBridgesOwnSpentBudgetIsShownAsItsCoolDownNotFulcrums() throws Exception {
    cli = new OpsCliRun(dir, "fulcrum:\n  calls_per_hour: 1\n");
    daemonRuns();
    try (Database db = cli.openDatabase()) {
      assertThat(new FulcrumCallLog(db, DatabaseClock.of(db, Clock.systemUTC()), 1).reserve()).isEmpty();
    }
    assertThat(cli.runWithConfig("status").out()).containsPattern("Fulcrum cool-down\\s+NO CALLS until \\S+ \\(1h 0m"
        + " more\\): the bridge's own budget \\(fulcrum.calls_per_hour\\) is spent for the trailing hour;")
        .doesNotContain("429");
  }

  @Test
  void jsonCarriesTheSameFacts() throws Exception {
    daemonRuns();
    try (Database db = cli.openDatabase()) {
      new WorkQueue(db, Clock.systemUTC()).enqueue(ResourceKey.user("u1"));
    }
    OpsCliRun.Result r = cli.runWithConfig("status", "--json");
    assertThat(r.exit()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("target").asText()).isEqualTo("embedded emulator");
    assertThat(json.get("backlog").get("pending").asLong()).isEqualTo(1);
    assertThat(json.get("pausedReason").isNull()).isTrue();
    assertThat(json.get("daemonHoldsLease").asBoolean()).isTrue();
    assertThat(json.get("oldestPendingSeconds").isNumber()).isTrue();
    assertThat(json.get("deadRows")).isEmpty();
  }

  /** A script reading {@code status --json} got a line of text where there was no database. */
  @Test
  void jsonWithNoDatabaseIsAJsonObjectSayingSoWithTheSameExitCode() throws Exception {
    OpsCliRun.Result r = cli.runWithConfig("status", "--json");
    assertThat(r.exit()).isEqualTo(1);
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("error").asText()).startsWith("no database at ").isEqualTo(r.err().strip());
    assertThat(json.get("exitCode").asInt()).isEqualTo(1);
  }

  @Test
  void aRealFulcrumIsNamedByItsUrl() throws Exception {
    cli = new OpsCliRun(dir, "fulcrum:\n  base_url: https://api.fulcrumapp.com\n  api_token: secret\n");
    cli.openDatabase().close();
    assertThat(cli.runWithConfig("status").out()).containsPattern("Target\\s+https://api.fulcrumapp.com");
  }

  @Test
  void aMissingDatabaseIsOneLineAndExitOne() {
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("no database at " + cli.database).contains("`fulcrum-scim serve` creates it");
    assertThat(cli.database).doesNotExist();
  }

  @Test
  void aBadConfigIsOneLineAndExitTwo() throws Exception {
    cli = new OpsCliRun(dir, "server:\n  port: 0\n");
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo(cli.config + ": server.port: must be 1 to 65535");
  }

  /** A daemon holds the writer lease for the rest of the test. */
  private void daemonRuns() {
    try (Database db = cli.openDatabase()) {
      serve = StoreLock.take(db.location(), "serve");
      assertThat(lease(db, WriterLease.Role.DAEMON).tryHold()).isTrue();
    }
  }

  /** review-s8c F8: after kill -9 of serve its lease stays until it expires, and status said "running". */
  @Test
  void aDaemonsLiveLeaseWithNoServeHoldingTheFileIsAGoneDaemon() {
    try (Database db = cli.openDatabase()) {
      assertThat(lease(db, WriterLease.Role.DAEMON).tryHold()).isTrue();
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).containsPattern("Reconciler\\s+NOT RUNNING: the daemon that holds the writer lease \\(")
        .contains(") is gone: no `fulcrum-scim serve` holds the database");
  }

  private static WriterLease lease(Database db, WriterLease.Role role) {
    return new WriterLease(db, DatabaseClock.of(db, Clock.systemUTC()), role, Duration.ofMinutes(10));
  }

  /** The unit's environment file is not the operator's shell: variables the daemon has are unset here. */
  static final String KEYS_FROM_THE_UNITS_ENVIRONMENT = """
      server:
        port: ${FULCRUM_SCIM_TEST_UNSET_PORT}
      fulcrum:
        base_url: ${FULCRUM_SCIM_TEST_UNSET_URL}
        calls_per_hour: ${FULCRUM_SCIM_TEST_UNSET_CALLS}
        read_timeout: ${FULCRUM_SCIM_TEST_UNSET_TIMEOUT}
      reconcile:
        interval: ${FULCRUM_SCIM_TEST_UNSET_INTERVAL}
      users:
        reassign_records_to: ${FULCRUM_SCIM_TEST_UNSET_TARGET}
      ha:
        lease_ttl: ${FULCRUM_SCIM_TEST_UNSET_TTL}
      """;

  @Test
  void statusRunsWhenAVariableOutsideStorageIsUnsetInThisShellAndSaysWhatItCannotKnow() throws Exception {
    cli = new OpsCliRun(dir, KEYS_FROM_THE_UNITS_ENVIRONMENT);
    try (Database db = cli.openDatabase()) {
      new SettingStore(db).put("fulcrum.link_target", "https://api.fulcrumapp.com");
    }
    OpsCliRun.Result r = cli.runWithConfig("status");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("Target\\s+https://api.fulcrumapp.com \\(where the database's links point; fulcrum.base_url's variable is not set here\\)")
        .containsPattern("Fulcrum calls, last hour\\s+0 of \\? \\(fulcrum.calls_per_hour's variable is not set here\\)")
        .containsPattern("Removed members' records\\s+unknown: users.reassign_records_to's variable is not set here")
        .doesNotContain("embedded emulator");
  }

  @Test
  void statusJsonNamesTheKeysWhoseVariableIsUnsetHere() throws Exception {
    cli = new OpsCliRun(dir, KEYS_FROM_THE_UNITS_ENVIRONMENT);
    cli.openDatabase().close();
    OpsCliRun.Result r = cli.runWithConfig("status", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("target").asText()).isEqualTo("unknown: fulcrum.base_url's variable is not set here");
    assertThat(json.get("fulcrumCallsPerHour").isNull()).isTrue();
    assertThat(json.get("unknownHere")).extracting(JsonNode::asText)
        .containsExactly("fulcrum.base_url", "fulcrum.calls_per_hour", "users.reassign_records_to");
  }

  @Test
  void auditAndJournalListRunWhenAVariableOutsideStorageIsUnsetInThisShell() throws Exception {
    cli = new OpsCliRun(dir, KEYS_FROM_THE_UNITS_ENVIRONMENT);
    cli.openDatabase().close();
    for (String[] command : List.of(new String[] {"audit"}, new String[] {"journal", "list"})) {
      OpsCliRun.Result r = cli.runWithConfig(command);
      assertThat(r.exit()).as(String.join(" ", command) + ": " + r.err()).isZero();
    }
  }

  @Test
  void helpListsTheExitCodes() {
    assertThat(cli.run("status", "--help").out()).contains("Exit codes:").contains("3   needs an operator");
  }
}
