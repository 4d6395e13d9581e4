package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumRole;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.GroupQuirk;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.ops.WriteTest;
import com.fulcrumscim.reconcile.LinkTarget;
import com.fulcrumscim.testing.BridgeProcess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check --write-test} against the standalone emulator, the way an operator runs it against a sandbox org. */
class WriteTestCommandTest {
  @TempDir Path dir;
  FulcrumEmulator fulcrum;
  OpsCliRun cli;

  @BeforeEach
  void start() throws Exception {
    fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0);
    cli = new OpsCliRun(dir, "fulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token() + "\n  calls_per_hour: 3600000\n");
  }

  @AfterEach
  void stop() {
    fulcrum.close();
  }

  @Test
  void theEmulatorPassesEveryAssumptionAndNothingIsLeftBehind() {
    List<FulcrumMember> membersBefore = fulcrum.members();
    List<FulcrumGroup> groupsBefore = fulcrum.groups();
    OpsCliRun.Result r = cli.runWithConfig("check", "--write-test");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .containsPattern("PUT /memberships/\\{id}.json with role_id changes the role\\s+holds")
        .containsPattern("group_members remove of a non-member is accepted \\(no 422\\)\\s+holds")
        .containsPattern("GET /groups/\\{id}.json answers the group's description .*\\s+holds")
        .containsPattern("DELETE /memberships/\\{id}.json answers 2xx and removes the member\\s+holds")
        .containsPattern("group member change answers carry the group's member_ids\\s+note\\s+they do")
        .doesNotContain("DIFFERS")
        .contains("nothing was left behind");
    assertThat(fulcrum.members()).isEqualTo(membersBefore);
    assertThat(fulcrum.groups()).isEqualTo(groupsBefore);
  }

  @Test
  void aFulcrumThatLeavesGroupDescriptionsOutDiffersOnThatAloneAndTheRunGoesOn() {
    fulcrum.descriptionsLeftOut(true);
    List<FulcrumMember> membersBefore = fulcrum.members();
    List<FulcrumGroup> groupsBefore = fulcrum.groups();
    OpsCliRun.Result r = cli.runWithConfig("check", "--write-test");
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.out())
        .containsPattern("GET /groups/\\{id}.json answers the group's description .*\\s+DIFFERS\\s+left out")
        .containsPattern("group_members remove takes the member out again\\s+holds")
        .containsPattern("DELETE /memberships/\\{id}.json answers 2xx and removes the member\\s+holds");
    assertThat(fulcrum.members()).isEqualTo(membersBefore);
    assertThat(fulcrum.groups()).isEqualTo(groupsBefore);
  }

  /**
   * Fulcrum's docs promise no body: the bridge works, reading every member change back; the table
   * says what that costs, and the test passes (such a Fulcrum is not wrong).
   */
  @Test
  void aFulcrumAnsweringMemberChangesWithoutMemberIdsIsANoteWithItsCostAndTheTestPasses() {
    fulcrum.memberChangesAnsweredEmpty(true);
    List<FulcrumMember> membersBefore = fulcrum.members();
    List<FulcrumGroup> groupsBefore = fulcrum.groups();
    OpsCliRun.Result r = cli.runWithConfig("check", "--write-test");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .containsPattern("group member change answers carry the group's member_ids\\s+note\\s+5 of 5 answered without"
            + " them: every group member change is read back, one more call each")
        .containsPattern("group_members add puts a member in the group, and takes the token owner out in the same change\\s+holds")
        .containsPattern("group_members remove takes the member out again\\s+holds")
        .containsPattern("DELETE /memberships/\\{id}.json answers 2xx and removes the member\\s+holds");
    assertThat(fulcrum.members()).isEqualTo(membersBefore);
    assertThat(fulcrum.groups()).isEqualTo(groupsBefore);
  }

  @Test
  void aFulcrumThatIgnoresGroupRenamesDiffersSayingTheGroupsKeepTheirOldNames() {
    fulcrum.groupQuirk(GroupQuirk.RENAMES_IGNORED, true);
    OpsCliRun.Result r = runLeavingNothingBehind(1);
    assertThat(r.out())
        .containsPattern("PUT /groups/\\{id}.json renames the group\\s+DIFFERS\\s+name now '" + WriteTest.MARKER
            + " \\p{XDigit}+': groups renamed in Okta/Entra keep their old names in Fulcrum")
        .containsPattern("DELETE /groups/\\{id}.json deletes the group\\s+holds");
  }

  @Test
  void aFulcrumWithUniqueGroupNamesDiffersOnASecondGroupOfTheSameNameAndTheRunGoesOn() {
    fulcrum.groupQuirk(GroupQuirk.NAMES_UNIQUE, true);
    OpsCliRun.Result r = runLeavingNothingBehind(1);
    assertThat(r.out())
        .containsPattern("POST /groups.json makes a new group under a name another group already has\\s+DIFFERS\\s+.*has already"
            + " been taken.*"
            + ": a group pushed from Okta/Entra under the name of a Fulcrum group the bridge does not manage is refused")
        .containsPattern("PUT /groups/\\{id}.json renames the group\\s+holds");
  }

  /** review-s9d F2: the answer is the run's own group, which it must neither call a second one nor delete. */
  @Test
  void aFulcrumWhoseGroupCreateFindsByNameDiffersAndKeepsTheRunsOwnGroupForTheStepsAfter() {
    fulcrum.groupQuirk(GroupQuirk.CREATE_FINDS_BY_NAME, true);
    OpsCliRun.Result r = runLeavingNothingBehind(1);
    assertThat(r.out())
        .containsPattern("POST /groups.json makes a new group under a name another group already has\\s+DIFFERS\\s+answered"
            + " with the existing group")
        .containsPattern("PUT /groups/\\{id}.json renames the group\\s+holds")
        .containsPattern("DELETE /memberships/\\{id}.json answers 2xx and removes the member\\s+holds");
  }

  @Test
  void aFulcrumThatKeepsADeletedMemberInItsGroupsDiffersSayingWhatTheBridgeThenDoes() {
    fulcrum.groupQuirk(GroupQuirk.DELETED_MEMBERS_LISTED, true);
    OpsCliRun.Result r = runLeavingNothingBehind(1);
    assertThat(r.out())
        .containsPattern("DELETE /memberships/\\{id}.json answers 2xx and removes the member\\s+holds")
        .containsPattern("DELETE /memberships/\\{id}.json of a member still in a group takes its id out of the group's member_ids"
            + "\\s+DIFFERS\\s+the group still lists \\p{XDigit}+: the bridge leaves an id the organization no longer has out of"
            + " the group member changes it sends");
  }

  @Test
  void aFulcrumRefusingTheTokenOwnersRemovalFromANewGroupDiffersOnTheFirstMemberChange() {
    fulcrum.groupQuirk(GroupQuirk.OWNER_REMOVAL_REFUSED, true);
    OpsCliRun.Result r = runLeavingNothingBehind(1);
    assertThat(r.out())
        .containsPattern("group_members add puts a member in the group, and takes the token owner out in the same change"
            + "\\s+DIFFERS\\s+.*creator cannot be removed.*: the bridge sends that removal with every new group's first adds");
  }

  /** Runs the write test, expecting {@code exit}, and checks the organization is as it was. */
  private OpsCliRun.Result runLeavingNothingBehind(int exit) {
    List<FulcrumMember> membersBefore = fulcrum.members();
    List<FulcrumGroup> groupsBefore = fulcrum.groups();
    OpsCliRun.Result r = cli.runWithConfig("check", "--write-test");
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(exit);
    assertThat(fulcrum.members()).isEqualTo(membersBefore);
    assertThat(fulcrum.groups()).isEqualTo(groupsBefore);
    return r;
  }

  @Test
  void theWriteTestTriesACreateOfATakenEmailAndAnAddOfAMemberAlreadyInTheGroup() {
    OpsCliRun.Result r = cli.runWithConfig("check", "--write-test");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .containsPattern("POST /memberships.json with an email already a member is refused \\(422\\)\\s+holds")
        .containsPattern("group_members add of a member already in the group is accepted \\(no 422\\)\\s+holds");
  }

  @Test
  void leftoversOfAKilledEarlierRunAreFoundByTheirMarkerAndRemoved() {
    // what a run killed with SIGKILL (no shutdown hook) leaves behind
    try (HttpFulcrumClient someone = new HttpFulcrumClient(FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(), 3_600_000,
        Duration.ofSeconds(5), Duration.ofSeconds(5)), new SimpleMeterRegistry(), Clock.systemUTC(), Sleeper.REAL,
        FulcrumCallListener.NONE)) {
      someone.createMember(new MemberFields(WriteTest.MARKER + "+dead1234@example.com", "Write", "Test", null));
      someone.createGroup(WriteTest.MARKER + " dead1234", "left by a killed run");
    }
    OpsCliRun.Result r = cli.runWithConfig("check", "--write-test");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("removed 1 member(s) and 1 group(s)");
    assertThat(fulcrum.members()).noneMatch(m -> m.email().startsWith(WriteTest.MARKER));
    assertThat(fulcrum.groups()).noneMatch(g -> g.name().startsWith(WriteTest.MARKER));
  }

  @Test
  void sigtermInTheMiddleStillDeletesWhatWasCreated() throws Exception {
    // paced at one call a second, so SIGTERM lands between the member's creation and its deletion
    Path slow = java.nio.file.Files.writeString(dir.resolve("slow.yml"), "fulcrum:\n  base_url: " + fulcrum.baseUrl()
        + "\n  api_token: " + fulcrum.token() + "\n  calls_per_hour: 3600\nstorage:\n  path: " + dir.resolve("b.db") + "\n");
    BridgeProcess run = BridgeProcess.command(java.util.Map.of(), "check", "--write-test", "--config", slow.toString());
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> fulcrum.members().stream()
          .anyMatch(m -> m.email().startsWith(WriteTest.MARKER)));
      run.process().destroy();
      assertThat(run.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as(run.output().toString()).isTrue();
    } finally {
      run.kill();
    }
    assertThat(fulcrum.members()).as(run.output().toString()).noneMatch(m -> m.email().startsWith(WriteTest.MARKER));
    assertThat(fulcrum.groups()).noneMatch(g -> g.name().startsWith(WriteTest.MARKER));
  }

  @Test
  void anEmbeddedTargetIsRefusedWithExitTwo() throws Exception {
    OpsCliRun embedded = new OpsCliRun(java.nio.file.Files.createDirectories(dir.resolve("embedded")));
    OpsCliRun.Result r = embedded.runWithConfig("check", "--write-test");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--write-test needs a Fulcrum to write to");
  }

  /** The database's links point into {@code target} (a base URL, or embedded), as a serve that pushed a user left them. */
  void linkedInto(String target) {
    try (Database db = cli.openDatabase()) {
      LinkTarget.settle(db, new WorkQueue(db, Clock.systemUTC()), target);
      OpsCliRun.link(db, "USER", "u-1", "m-1");
    }
    fulcrum.calls().reset();
  }

  @Test
  void refusedWhileTheDaemonHoldsTheWriterLeaseEvenOnASandboxAndNothingIsCalled() {
    try (Database db = cli.openDatabase()) {
      new WriterLease(db, DatabaseClock.of(db, Clock.systemUTC()), WriterLease.Role.DAEMON, Duration.ofMinutes(10)).tryHold();
    }
    fulcrum.calls().reset();

    OpsCliRun.Result r = cli.runWithConfig("check", "--write-test", "--allow-managed-org");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("the daemon (").contains("holds the Fulcrum writer lease")
        .contains("systemctl stop fulcrum-scim").endsWith("nothing was written").doesNotContain("\n");
    assertThat(fulcrum.calls().all()).isEmpty();
  }

  @Test
  void refusedOnADatabaseLinkedIntoTheOrganizationAndNothingIsCalled() {
    linkedInto(fulcrum.baseUrl());

    OpsCliRun.Result r = cli.runWithConfig("check", "--write-test");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("this database links 1 member(s) and 0 group(s) into the Fulcrum organization at "
        + fulcrum.baseUrl()).contains("add --allow-managed-org if this organization is a sandbox")
        .endsWith("nothing was written").doesNotContain("\n");
    assertThat(fulcrum.calls().all()).isEmpty();
  }

  @Test
  void allowManagedOrgRunsItOnALinkedSandbox() {
    linkedInto(fulcrum.baseUrl());
    List<FulcrumMember> membersBefore = fulcrum.members();

    OpsCliRun.Result r = cli.runWithConfig("check", "--write-test", "--allow-managed-org");

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("Every assumption holds; nothing was left behind.");
    assertThat(fulcrum.members()).isEqualTo(membersBefore);
  }

  /** The emulator's links ended with its run: a real Fulcrum behind this config gets every user pushed anew. */
  @Test
  void linksIntoTheEmbeddedEmulatorAreNoManagedOrganization() {
    linkedInto("embedded");

    OpsCliRun.Result r = cli.runWithConfig("check", "--write-test");

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
  }

  /** The README's first contact: serve may have made the database, but pushed nothing yet. */
  @Test
  void aDatabaseWithNoLinksYetNeedsNoConfirmation() {
    cli.openDatabase().close();

    OpsCliRun.Result r = cli.runWithConfig("check", "--write-test");

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
  }

  @Test
  void allowManagedOrgWithoutWriteTestIsAUsageError() {
    OpsCliRun.Result r = cli.runWithConfig("check", "--allow-managed-org");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--allow-managed-org only goes with --write-test");
  }

  /**
   * The write test picks "a role other than Owner" by the bridge's one Owner rule: a role named Owner
   * in another case, or one Fulcrum sends without is_system, is Owner too and never put on its member.
   */
  @Test
  void theWriteTestNeverPutsARoleNamedOwnerInAnyCaseOnItsMember() {
    try (HttpFulcrumClient http = new HttpFulcrumClient(FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(), 3_600_000,
        Duration.ofSeconds(5), Duration.ofSeconds(5)), new SimpleMeterRegistry(), Clock.systemUTC(), Sleeper.REAL,
        FulcrumCallListener.NONE)) {
      String ownerRoleId = http.roles().stream().filter(r -> r.name().equals("Owner")).findFirst().orElseThrow().id();
      // listed first, as a Fulcrum that names it in capitals and leaves is_system out would be read
      FulcrumRole shouted = new FulcrumRole(ownerRoleId, "OWNER", false, false);
      FulcrumClient client = (FulcrumClient) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {FulcrumClient.class}, (proxy, method, args) -> {
            if (method.getName().equals("roles")) {
              List<FulcrumRole> roles = new ArrayList<>(List.of(shouted));
              http.roles().stream().filter(r -> !r.id().equals(ownerRoleId)).forEach(roles::add);
              return roles;
            }
            try {
              return method.invoke(http, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
      List<WriteTest.Finding> findings = new WriteTest(client, new SecureRandom()).run();
      assertThat(findings).filteredOn(f -> f.assumption().contains("with role_id changes the role"))
          .singleElement()
          .satisfies(f -> assertThat(f.holds()).as(f.result()).isTrue())
          .satisfies(f -> assertThat(f.result()).doesNotContain(ownerRoleId).doesNotContain("OWNER"));
    }
  }
}
