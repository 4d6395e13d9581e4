package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.control.OperatorActions;
import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.RequestStore;
import com.fulcrumscim.control.Watch;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalCommandTest {
  @TempDir Path dir;
  OpsCliRun cli;
  final ResourceKey alice = ResourceKey.user("u-alice");
  final ResourceKey bob = ResourceKey.user("u-bob");
  final ResourceKey admins = ResourceKey.group("g-admins");

  /** alice pending, bob dead, admins done; alice has two journal entries. */
  @BeforeEach
  void seed() throws Exception {
    cli = new OpsCliRun(dir);
    try (Database db = cli.openDatabase()) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      queue.enqueue(admins);
      // claimed once a group's wait for Okta's next change is over
      WorkQueue settled = new WorkQueue(db, Clock.offset(Clock.systemUTC(), WorkQueue.GROUP_SETTLE));
      settled.done(settled.claim(1).get(0));
      queue.enqueue(bob);
      queue.dead(queue.claim(1).get(0), "422 rejected: email has already been taken");
      queue.enqueue(alice);
      journal(db, alice, "CREATE", "{\"userName\":\"alice@example.com\",\"active\":true}");
      journal(db, alice, "PATCH", "{\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}");
    }
  }

  static void journal(Database db, ResourceKey key, String op, String body) {
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO journal (received_at, request_id, entity_type, entity_id, op, body) VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setLong(1, System.currentTimeMillis());
        ps.setString(2, "req-" + op);
        ps.setString(3, key.type().name());
        ps.setString(4, key.scimId());
        ps.setString(5, op);
        ps.setString(6, body);
        return ps.executeUpdate();
      }
    });
  }

  WorkState stateOf(ResourceKey key) {
    try (Database db = cli.openDatabase()) {
      return new WorkQueue(db, Clock.systemUTC()).get(key).orElseThrow().state();
    }
  }

  @Test
  void listShowsEveryRowWithItsState() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "list");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .containsPattern("group/g-admins\\s+DONE")
        .containsPattern("user/u-bob\\s+DEAD\\s+1 .*422 rejected: email has already been taken")
        .containsPattern("user/u-alice\\s+PENDING");
  }

  @Test
  void listFiltersByStateInAnyCase() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "list", "--state", "dead");
    assertThat(r.out()).contains("user/u-bob").doesNotContain("u-alice").doesNotContain("g-admins");
  }

  @Test
  void listFiltersByEntity() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "list", "--entity", "group");
    assertThat(r.out()).contains("group/g-admins").doesNotContain("user/");
  }

  @Test
  void listFiltersById() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "list", "--id", "u-alice");
    assertThat(r.out()).contains("user/u-alice").doesNotContain("u-bob").doesNotContain("g-admins");
  }

  @Test
  void listHonoursTheLimit() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "list", "--limit", "1");
    assertThat(r.out().lines().filter(line -> line.matches("(user|group)/.*"))).as("one row").hasSize(1);
  }

  @Test
  void listSaysWhenTheLimitLeftRowsOutAndNotWhenItDidNot() {
    assertThat(cli.runWithConfig("journal", "list", "--limit", "2").out())
        .contains("... more rows match: these are the first 2; raise --limit to see them");
    assertThat(cli.runWithConfig("journal", "list", "--limit", "3").out()).doesNotContain("more rows match");
  }

  @Test
  void aLimitBelowOneIsAUsageErrorForListAndShow() {
    for (String[] args : List.of(new String[] {"journal", "list", "--entity", "user", "--limit", "-1"},
        new String[] {"journal", "list", "--limit", "0"}, new String[] {"journal", "show", "user/u-alice", "--limit", "-1"})) {
      OpsCliRun.Result r = cli.runWithConfig(args);
      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(r.err()).contains("is not a number of rows: give 1 or more");
    }
  }

  @Test
  void listSaysWhenNothingMatches() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "list", "--state", "held");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualToIgnoringNewLines("no work rows match");
  }

  @Test
  void anUnknownStateIsAUsageError() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "list", "--state", "stuck");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("'stuck' is not one of pending, running, retrying, done, dead, held");
  }

  @Test
  void showPrintsTheWorkRowAndTheJournalNewestFirstWithPrettyBodies() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "show", "user/u-alice");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).containsPattern("State\\s+PENDING").contains("Journal (2):");
    assertThat(r.out().indexOf("PATCH")).isLessThan(r.out().indexOf("CREATE"));
    assertThat(r.out()).contains("\"userName\" : \"alice@example.com\"").contains("request req-CREATE");
  }

  @Test
  void showOfADeadRowHasNoNextAttempt() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "show", "user/u-bob");
    assertThat(r.out()).containsPattern("State\\s+DEAD").containsPattern("Next attempt\\s+-\n");
  }

  @Test
  void showOfAPendingRowSaysWhenItIsNextTried() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "show", "user/u-alice");
    assertThat(r.out()).containsPattern("Next attempt\\s+\\d{4}-\\d\\d-\\d\\dT");
  }

  @Test
  void showEscapesControlCharactersAJournalBodyHolds() {
    try (Database db = cli.openDatabase()) {
      // Jackson escapes C0 in JSON output; C1 and a body that is not JSON pass through unless escaped
      journal(db, alice, "PUT", "{\"userName\":\"eve\u009b2J@example.com\"}");
      journal(db, alice, "PATCH", "not json \u001b[2J");
    }
    OpsCliRun.Result r = cli.runWithConfig("journal", "show", "user/u-alice");
    assertThat(r.out()).doesNotContain("\u009b").doesNotContain("\u001b").contains("eve\\u009b2J@example.com")
        .contains("not json \\u001b[2J");
  }

  @Test
  void showEscapesARightToLeftOverrideAJournalBodyHolds() {
    // U+202E shows the rest of the line reversed, so a stored address would read as another one
    try (Database db = cli.openDatabase()) {
      journal(db, alice, "PUT", "{\"userName\":\"eve\u202egpj.exe@example.com\"}");
    }
    OpsCliRun.Result r = cli.runWithConfig("journal", "show", "user/u-alice");
    assertThat(r.out()).doesNotContain("\u202e").contains("eve\\u202egpj.exe@example.com");
  }

  @Test
  void showPrintsACustomDecimalWithEveryDigitTheJournalHolds() {
    // the journal keeps it exact (review-s8d F9); read back through a double, show printed 0.12345678901234568
    try (Database db = cli.openDatabase()) {
      journal(db, alice, "PUT", "{\"urn:example:acme:2.0:User\":{\"p\":0.12345678901234567890123,\"z\":100.0}}");
    }
    OpsCliRun.Result r = cli.runWithConfig("journal", "show", "user/u-alice");
    assertThat(r.out()).contains("0.12345678901234567890123").contains("100.0");
  }

  @Test
  void showOfAnUnknownKeyExitsOne() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "show", "user/nobody");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("unknown key user/nobody");
  }

  @Test
  void aMalformedKeyIsAUsageError() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "show", "alice");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("'alice' is not a key: write user/<SCIM id> or group/<SCIM id>");
  }

  @Test
  void retryMakesADeadRowPending() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "retry", "user/u-bob");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("user/u-bob is due again");
    assertThat(stateOf(bob)).isEqualTo(WorkState.PENDING);
  }

  @Test
  void aRetryWithNoDaemonRunningSaysNothingAppliesItUntilServeStarts() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "retry", "user/u-bob");

    assertThat(r.out()).isEqualToIgnoringNewLines("user/u-bob is due again with a fresh retry budget; no daemon holds the "
        + "writer lease, so nothing is applied until one does (`fulcrum-scim serve` takes it as it starts)");
  }

  @Test
  void retryAllDeadRevivesEveryDeadRow() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "retry", "--all-dead");
    assertThat(r.out()).contains("1 dead row is due again");
    assertThat(stateOf(bob)).isEqualTo(WorkState.PENDING);
  }

  @Test
  void retryOfARowThatIsNotDeadExitsOneAndSaysItsState() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "retry", "user/u-alice");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("user/u-alice is PENDING, not DEAD: nothing to retry");
  }

  @Test
  void retryOfAnUnknownKeyExitsOne() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "retry", "group/nope");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("unknown key group/nope");
  }

  @Test
  void retryWantsAKeyOrAllDead() {
    assertThat(cli.runWithConfig("journal", "retry").exit()).isEqualTo(2);
  }

  @Test
  void skipMarksADeadRowDone() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "skip", "user/u-bob");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("user/u-bob skipped");
    assertThat(stateOf(bob)).isEqualTo(WorkState.DONE);
  }

  /** Skipping a dead deprovisioning ends its status row and its alert while the person still has access. */
  @Test
  void skippingADeadDeprovisioningSaysThePersonKeepsAccessAndWhatToDo() {
    zedsDeactivation((queue, claimed) -> queue.dead(claimed,
        "user zed: the user was deactivated in Okta, but Fulcrum member m-zed still has access"));

    OpsCliRun.Result r = cli.runWithConfig("journal", "skip", "user/u-zed");

    assertThat(r.exit()).isZero();
    assertThat(r.out().strip()).isEqualTo(ZED_KEEPS_ACCESS);
  }

  /**
   * A removal held by the guard is set aside as a dead one is, as loudly: the only way out that removes
   * nothing for a leaver held again on a member that may be a new hire's own (review-s9c F1).
   */
  @Test
  void skippingAHeldRemovalSetsItAsideAndSaysThePersonKeepsAccess() {
    zedsDeactivation((queue, claimed) -> queue.hold(claimed, "user zed: 1 removals in the last 1h and 1 pending"));

    OpsCliRun.Result r = cli.runWithConfig("journal", "skip", "user/u-zed");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip()).isEqualTo(ZED_KEEPS_ACCESS);
    assertThat(stateOf(ResourceKey.user("u-zed"))).isEqualTo(WorkState.DONE);
  }

  /** A held role take-back set aside says the member keeps the role, not that nothing happened (review-s9d F3). */
  @Test
  void skippingAHeldRoleTakeBackSaysTheMemberKeepsTheRole() {
    try (Database db = cli.openDatabase()) {
      db.write(c -> c.createStatement().executeUpdate("INSERT INTO scim_user (id, user_name, user_name_key, email, email_key, active, "
          + "doc, created_at, updated_at) VALUES ('u-cy', 'cy', 'cy', 'cy@corp.example', 'cy@corp.example', 1, '{}', 1, 1)"));
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      db.write(c -> {
        queue.enqueue(c, ResourceKey.user("u-cy"), false);
        return null;
      });
      // alice's row is due too: the claim takes both, and holds cy's
      WorkItem cy = queue.claim(2).stream().filter(w -> w.key().equals(ResourceKey.user("u-cy"))).findFirst().orElseThrow();
      queue.hold(cy, "role take-back: 1 role take-backs in the last 1h and 1 pending");
    }

    OpsCliRun.Result r = cli.runWithConfig("journal", "skip", "user/u-cy");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("user cy (cy@corp.example) KEEPS THE ROLE the bridge gave").doesNotContain("KEEPS ACCESS");
  }

  private static final String ZED_KEEPS_ACCESS = "user/u-zed skipped: marked DONE without applying. It took access away, and"
      + " nothing alerts on it any more: user zed (zed@corp.example) KEEPS ACCESS in Fulcrum until someone removes that by"
      + " hand, or the next resync apply (the scheduled one, or `fulcrum-scim resync`) finds it again";

  /** Okta deactivated zed (zed@corp.example); {@code ends} finishes the claimed removal. */
  private void zedsDeactivation(BiConsumer<WorkQueue, WorkItem> ends) {
    try (Database db = cli.openDatabase()) {
      db.write(c -> c.createStatement().executeUpdate("INSERT INTO scim_user (id, user_name, user_name_key, email, email_key, active, "
          + "doc, created_at, updated_at) VALUES ('u-zed', 'zed', 'zed', 'zed@corp.example', 'zed@corp.example', 0, '{}', 1, 1)"));
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      db.write(c -> {
        queue.enqueue(c, ResourceKey.user("u-zed"), true);
        return null;
      });
      ends.accept(queue, queue.claim(1).get(0));
    }
  }

  @Test
  void skippingADeadRowThatGivesNoAccessAwaySaysNothingOfAccess() {
    assertThat(cli.runWithConfig("journal", "skip", "user/u-bob").out()).doesNotContain("ACCESS");
  }

  /**
   * A running daemon carries the skip out after the command asked for it. Okta changed bob again
   * meanwhile and that change went DEAD too: it is not the one the operator saw, and stays DEAD.
   */
  @Test
  void skipThroughTheDaemonLeavesARowThatChangedAfterTheCommandReadIt() throws Exception {
    ExecutorService operator = Executors.newSingleThreadExecutor();
    try (Database db = cli.openDatabase()) {
      Clock clock = Clock.systemUTC();
      new WriterLease(db, DatabaseClock.of(db, clock), WriterLease.Role.DAEMON, Duration.ofMinutes(1)).tryHold();
      Future<OpsCliRun.Result> skip = operator.submit(() -> cli.runWithConfig("journal", "skip", "user/u-bob"));
      RequestStore requests = new RequestStore(db, clock);
      OperatorRequest asked = await().atMost(Duration.ofSeconds(10)).until(requests::claimNext, Optional::isPresent).orElseThrow();

      WorkQueue queue = new WorkQueue(db, clock);
      queue.enqueue(bob);
      for (WorkItem claimed : queue.claim(10)) {
        if (claimed.key().equals(bob)) {
          queue.dead(claimed, "422 rejected: the newer change");
        } else {
          queue.release(claimed);
        }
      }
      requests.answer(asked.id(), OperatorActions.configured(ConfigLoader.fromSystemEnvironment().defaults(), db, clock, () -> {})
          .carryOut(asked, () -> null, Watch.NONE));

      OpsCliRun.Result r = skip.get(10, TimeUnit.SECONDS);
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).isEqualToIgnoringNewLines("user/u-bob changed after this command read it (generation 1, now 2, DEAD): "
          + "nothing skipped; `fulcrum-scim journal show user/u-bob` shows the newer change");
      assertThat(queue.get(bob).orElseThrow().lastError()).isEqualTo("422 rejected: the newer change");
    } finally {
      operator.shutdownNow();
    }
    assertThat(stateOf(bob)).isEqualTo(WorkState.DEAD);
  }

  @Test
  void skipOfAnUnknownKeyExitsOne() {
    OpsCliRun.Result r = cli.runWithConfig("journal", "skip", "user/nobody");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("unknown key user/nobody");
  }
}
