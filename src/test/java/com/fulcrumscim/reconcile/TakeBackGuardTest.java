package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.cli.ApproveRemovalsCommand;
import com.fulcrumscim.cli.JournalCommand;
import com.fulcrumscim.cli.StatusCommand;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ReconcileHarness;
import com.fulcrumscim.testing.TestStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The mass-removal guard over role take-backs: an Okta role mapping removed for everyone (Okta then
 * pushes every user without {@code role}) must not turn every Manager into a Standard User in one
 * cycle. Guard: more than max(3, 10%) take-backs per window.
 */
class TakeBackGuardTest extends EndToEnd {
  static final String PUT = "PUT /api/v2/memberships/{id}.json";

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  /** {@code n} users Okta made Managers, pushed and settled. */
  List<String> managers(int n) {
    start(ReconcileHarness.Options.defaults().withGuard(10, 3));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(h.okta.user(email(i), "User", "No" + i, "Manager"));
    }
    h.settle();
    return ids;
  }

  static String email(int i) {
    return "user" + i + "@corp.example";
  }

  /** Okta's profile push without {@code role}, as after its role attribute mapping was removed. */
  void oktaDropsTheRole(List<String> ids, int i) {
    h.okta.replaceUser(ids.get(i), email(i), "User", "No" + i, null);
  }

  List<WorkItem> held() {
    return h.queue.list(WorkState.HELD, 100);
  }

  /** Among this test's users' members (the seed has an unmanaged Manager too). */
  long managersInFulcrum() {
    return h.fulcrum.members().stream().filter(m -> m.email().startsWith("user") && "Manager".equals(m.roleName())).count();
  }

  @Test
  void aStormOfTakeBacksIsHeldWithTheCountsAndTheCommandAndNoFulcrumCall() {
    List<String> ids = managers(6);
    long puts = calls(PUT);
    for (int i = 0; i < 6; i++) {
      oktaDropsTheRole(ids, i);
    }
    h.settle();

    assertThat(held()).hasSize(6).allSatisfy(w -> assertThat(w.lastError()).startsWith("user user").endsWith("@corp.example: role take-back: 0 role take-backs"
        + " in the last 1h and 6 pending, of 6 members the bridge gave a role other than the default (guard: more than 3 ="
        + " max(3, 10%) per guard.window); Okta names no role for these users any more (is its role attribute mapping"
        + " still in place?), so each member keeps the role the bridge gave until `fulcrum-scim approve-removals`"));
    assertThat(calls(PUT)).isEqualTo(puts);
    assertThat(managersInFulcrum()).isEqualTo(6);
  }

  @Test
  void takeBacksTricklingInGoThroughUpToTheThresholdThenAreHeld() {
    List<String> ids = managers(6);
    for (int i = 0; i < 6; i++) {
      h.clock.tick(Duration.ofMillis(1500));
      oktaDropsTheRole(ids, i);
      h.settle();
    }

    assertThat(managersInFulcrum()).as("3 taken back to the default, the rest held").isEqualTo(3);
    assertThat(inFulcrum(email(2)).roleName()).isEqualTo("Standard User");
    assertThat(held()).extracting(w -> w.key().scimId()).containsExactlyInAnyOrderElementsOf(ids.subList(3, 6));
    assertThat(h.row(ResourceKey.user(ids.get(3))).lastError()).contains("3 role take-backs in the last 1h and 1 pending");
  }

  @Test
  void takeBacksMadeAndPendingAreCountedTogether() {
    List<String> ids = managers(6);
    oktaDropsTheRole(ids, 0);
    oktaDropsTheRole(ids, 1);
    h.settle();
    oktaDropsTheRole(ids, 2);
    oktaDropsTheRole(ids, 3);
    h.settle();

    assertThat(held()).extracting(w -> w.key().scimId()).containsExactlyInAnyOrder(ids.get(2), ids.get(3))
        .allSatisfy(id -> assertThat(h.row(ResourceKey.user(id)).lastError())
            .contains("2 role take-backs in the last 1h and 2 pending"));
    assertThat(managersInFulcrum()).isEqualTo(4);
  }

  @Test
  void anApprovalLetsEachHeldTakeBackThroughOnce() throws Exception {
    List<String> ids = managers(6);
    for (int i = 0; i < 6; i++) {
      oktaDropsTheRole(ids, i);
    }
    h.settle();
    assertThat(held()).hasSize(6);

    StringWriter approved = new StringWriter();
    assertThat(cli(new ApproveRemovalsCommand(), approved)).isZero();
    assertThat(approved.toString()).startsWith("Approved 6 held role take-backs: user user");
    h.settle();
    assertThat(managersInFulcrum()).isZero();
    assertThat(h.queue.list(null, 100)).extracting(WorkItem::state).containsOnly(WorkState.DONE);

    h.okta.set(ids.get(0), "role", "Manager");
    h.settle();
    oktaDropsTheRole(ids, 0);
    h.settle();
    assertThat(h.row(ResourceKey.user(ids.get(0))).state()).as("the window still counts the 6 approved").isEqualTo(WorkState.HELD);
    assertThat(inFulcrum(email(0)).roleName()).isEqualTo("Manager");
  }

  @Test
  void aRoleChangedFromOneNamedRoleToAnotherIsNeverHeldNorCountedInAStormOfTakeBacks() {
    List<String> ids = managers(8);
    for (int i = 0; i < 4; i++) {
      h.okta.set(ids.get(i), "role", "Standard User");
      oktaDropsTheRole(ids, i + 4);
    }
    h.settle();

    for (int i = 0; i < 4; i++) {
      assertThat(inFulcrum(email(i)).roleName()).isEqualTo("Standard User");
      assertThat(h.row(ResourceKey.user(ids.get(i))).state()).isEqualTo(WorkState.DONE);
    }
    assertThat(held()).hasSize(4).allSatisfy(w -> assertThat(w.lastError()).contains("0 role take-backs in the last 1h and 4 pending"));
  }

  @Test
  void removalsAndTakeBacksAreCountedApart() {
    List<String> ids = managers(10);
    for (int i = 0; i < 3; i++) {
      h.okta.set(ids.get(i), "active", 0);
    }
    for (int i = 3; i < 7; i++) {
      oktaDropsTheRole(ids, i);
    }
    h.settle();

    for (int i = 0; i < 3; i++) {
      assertThat(h.fulcrum.memberByEmail(email(i))).as("3 removals, not more than 3").isEmpty();
    }
    assertThat(held()).extracting(w -> w.key().scimId()).containsExactlyInAnyOrderElementsOf(ids.subList(3, 7));
    assertThat(h.row(ResourceKey.user(ids.get(3))).lastError()).contains("0 role take-backs in the last 1h and 4 pending");
  }

  @Test
  void aHeldTakeBackSettlesByItselfOnceOktaNamesTheRoleAgain() {
    List<String> ids = managers(6);
    long puts = calls(PUT);
    for (int i = 0; i < 6; i++) {
      oktaDropsTheRole(ids, i);
    }
    h.settle();
    assertThat(held()).hasSize(6);

    // the Okta admin puts the role attribute mapping back: Okta pushes every user with its role again
    for (int i = 0; i < 6; i++) {
      h.okta.replaceUser(ids.get(i), email(i), "User", "No" + i, "Manager");
    }
    h.settle();

    assertThat(h.queue.list(null, 100)).extracting(WorkItem::state).containsOnly(WorkState.DONE);
    assertThat(managersInFulcrum()).isEqualTo(6);
    assertThat(calls(PUT)).isEqualTo(puts);
  }

  @Test
  void eachHeldTakeBackIsAnErrorLineThatNamesIt() {
    List<String> ids = managers(4);
    for (int i = 0; i < 4; i++) {
      oktaDropsTheRole(ids, i);
    }
    h.settle();

    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR && e.getLoggerName().equals(ReconcileLoop.class.getName()))
        .extracting(ILoggingEvent::getFormattedMessage).hasSize(4)
        .allMatch(m -> m.startsWith("ROLE TAKE-BACK HELD for user/") && m.contains("4 pending"));
  }

  @Test
  void statusShowsHeldTakeBacksApartFromRemovalsListsThemAndExitsThree() throws Exception {
    List<String> ids = managers(6);
    for (int i = 0; i < 6; i++) {
      oktaDropsTheRole(ids, i);
    }
    h.settle();

    StringWriter status = new StringWriter();
    assertThat(cli(new StatusCommand(), status)).isEqualTo(3);
    assertThat(status.toString()).containsPattern("Held removals\\s+none")
        .containsPattern("Held role take-backs\\s+6 HELD by the mass-removal guard: these members keep the role the bridge"
            + " gave until `fulcrum-scim approve-removals`")
        .containsPattern("user/" + ids.get(0) + "\\s+0\\s+\\S+\\s+user user0@corp.example: role take-back: 0 role take-backs in the last 1h and 6"
            + " pending");
  }

  @Test
  void journalListsHeldTakeBacksWithTheirReason() throws Exception {
    List<String> ids = managers(4);
    for (int i = 0; i < 4; i++) {
      oktaDropsTheRole(ids, i);
    }
    h.settle();

    StringWriter journal = new StringWriter();
    assertThat(cli(new JournalCommand(), journal, "list", "--state", "held")).isZero();
    assertThat(journal.toString().lines().filter(l -> l.contains("HELD") && l.contains("role take-back: 0 role take-backs"
        + " in the last 1h and 4 pending"))).hasSize(4);
  }

  /** Runs an operator command on this harness's database, as `bin/fulcrum-scim` would; returns its exit code. */
  private int cli(Object command, StringWriter out, String... args) throws Exception {
    Path config = dir.resolve("config.yml");
    Files.writeString(config, new TestStore(h.db.location()).yaml());
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", config.toString()));
    return cli.execute(all.toArray(String[]::new));
  }
}
