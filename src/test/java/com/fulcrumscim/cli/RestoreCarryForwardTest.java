package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Migrations;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.fulcrum.emulator.DeleteFault;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.MemberAddresses;
import com.fulcrumscim.journal.RestoreMarker;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.journal.Tombstones;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.reconcile.Link;
import com.fulcrumscim.reconcile.LinkStore;
import com.fulcrumscim.reconcile.RemovalGuard;
import com.fulcrumscim.restore.IncompleteCarry;
import com.fulcrumscim.testing.DesiredVsActual;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restore BACKUP} carries forward what the database it replaces holds newer than the backup.
 * After the backup, Okta deactivated {@code leaver}, and the bridge acknowledged it while its
 * removal had not gone through yet (its DELETE ignored: in life pending, retrying, held or dead
 * during the incident that forced the restore); and Okta pushed the group {@code Late} with
 * {@code member} in it, which the bridge created in Fulcrum. Okta sends neither again.
 */
class RestoreCarryForwardTest {
  static final String README_STEP = "README, \"Backup and restore\", \"When the restore cannot carry everything forward\"";

  @TempDir Path dir;
  FulcrumEmulator fulcrum;
  ScimTestServer bridge;
  Path home;
  OpsCliRun cli;
  Path nightly;
  String leaver;
  String member;
  String late;
  String leaverMember;

  @BeforeEach
  void twoUsersPushedThenABackup() throws Exception {
    fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0);
    home = Files.createDirectories(dir.resolve("live"));
    cli = new OpsCliRun(home, "fulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token() + "\n");
    bridge = BackupRestoreTest.serve(fulcrum, home);
    ScimHttp okta = bridge.http();
    leaver = okta.post("/Users", Bodies.user("leaver@corp.example")).json().path("id").asText();
    member = okta.post("/Users", Bodies.user("member@corp.example")).json().path("id").asText();
    awaitSettled();
    leaverMember = fulcrum.memberByEmail("leaver@corp.example").orElseThrow().id();
    nightly = dir.resolve("nightly.db");
    assertThat(cli.runWithConfig("backup", nightly.toString()).exit()).isZero();
  }

  /** After the backup: the group Late pushed and made in Fulcrum, leaver deactivated while its DELETE does not take. */
  void afterTheBackupAGroupPushedAndADeactivationNotYetInFulcrum() {
    ScimHttp okta = bridge.http();
    late = okta.post("/Groups", Bodies.group("Late", member)).json().path("id").asText();
    String memberId = fulcrum.memberByEmail("member@corp.example").orElseThrow().id();
    await().atMost(Duration.ofSeconds(30)).until(() -> lateGroups().stream().anyMatch(g -> g.memberIds().contains(memberId)));
    fulcrum.deleteFault(leaverMember, DeleteFault.IGNORED);
    assertThat(okta.patch("/Users/" + leaver, BackupRestoreTest.DEACTIVATE).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> row(leaver).map(w -> w.state() == WorkState.RETRYING).orElse(false));
    stopTheService();
  }

  @AfterEach
  void stop() {
    stopTheService();
    fulcrum.close();
  }

  @Test
  void aDeactivationThatHadNotReachedFulcrumIsCarriedForwardAndThePersonIsRemoved() throws Exception {
    afterTheBackupAGroupPushedAndADeactivationNotYetInFulcrum();

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());
    fulcrum.deleteFault(leaverMember, null); // Fulcrum takes DELETEs again
    bridge = BackupRestoreTest.serve(fulcrum, home);

    assertThat(r.exit()).as(r.err()).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.member(leaverMember).isEmpty());
    assertThat(bridge.http().get("/Users/" + leaver).json().path("active").asBoolean()).isFalse();
    await().atMost(Duration.ofSeconds(30)).until(() -> row(leaver).map(w -> w.state() == WorkState.DONE).orElse(false));
    assertThat(r.err()).doesNotContain("WARNING");
    assertThat(r.out()).contains("carried forward from the replaced database " + cli.database + ".replaced-",
        "1 deprovisioning, 1 user and 1 group in all", "leaver@corp.example (user/" + leaver + "): deactivated");
  }

  /**
   * The backup holds leaver's removal failing; Okta reactivated leaver after it. The restored row
   * carries the reactivation, not the removal: kept, status and the retrying removals gauge counted
   * leaver as keeping access once an attempt failed before it planned (as intake's reactivation).
   */
  @Test
  void aUserReactivatedAfterABackupHoldingTheirFailingRemovalIsNoRemovalOnceRestored() throws Exception {
    ScimHttp okta = bridge.http();
    fulcrum.deleteFault(leaverMember, DeleteFault.IGNORED);
    assertThat(okta.patch("/Users/" + leaver, BackupRestoreTest.DEACTIVATE).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> row(leaver).map(w -> w.state() == WorkState.RETRYING).orElse(false));
    Path failing = dir.resolve("failing.db");
    assertThat(cli.runWithConfig("backup", failing.toString()).exit()).isZero();
    assertThat(okta.patch("/Users/" + leaver, BackupRestoreTest.DEACTIVATE.replace("false", "true")).status()).isEqualTo(200);
    stopTheService();

    OpsCliRun.Result r = cli.runWithConfig("restore", failing.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(row(leaver)).hasValueSatisfying(w -> assertThat(w.removal()).isFalse());
  }

  /**
   * The address a user's member was given after the backup is carried: without it, a member found
   * under that address once the user leaves is taken for one Okta gave that never reached Fulcrum
   * (reported, never adopted), review-s13b F1.
   */
  @Test
  void anAddressTheBridgeGaveAMemberAfterTheBackupIsCarriedForward() throws Exception {
    assertThat(bridge.http().patch("/Users/" + member, Bodies.patch("{\"op\":\"replace\",\"path\":"
        + "\"emails[type eq \\\"work\\\"].value\",\"value\":\"member.new@corp.example\"}")).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.memberByEmail("member.new@corp.example").isPresent());
    awaitQuiet();
    stopTheService();

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      Database.Work<Optional<MemberAddresses.Held>> held = c -> new MemberAddresses().find(c, member);
      assertThat(db.read(held)).get().satisfies(h -> assertThat(h.reached("member.new@corp.example")).isTrue());
    }
  }

  /**
   * A user carried from a replaced database whose row has no email key (its schema before 18) is
   * keyed from its email as it is carried: without the key, every look-up by email would miss it (a
   * second active user with its address accepted, a leaver's member not found for it).
   */
  @Test
  void aUserCarriedFromARowWithoutItsEmailKeyIsKeyedFromItsEmail() throws Exception {
    assertThat(bridge.http().patch("/Users/" + member, Bodies.patch("{\"op\":\"replace\",\"path\":"
        + "\"emails[type eq \\\"work\\\"].value\",\"value\":\"ZOË@corp.example\"}")).status()).isEqualTo(200);
    awaitQuiet();
    stopTheService();
    update("UPDATE scim_user SET email_key = NULL WHERE id = '" + member + "'");

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      Database.Work<List<DesiredUser>> found = c -> new DesiredState(db).activeUsersWithEmail(c, "zoë@corp.example");
      assertThat(db.read(found)).extracting(DesiredUser::id).containsExactly(member);
    }
  }

  @Test
  void aGroupPushedAfterTheBackupStaysLinkedSoOktasLaterChangesToItReachFulcrum() throws Exception {
    afterTheBackupAGroupPushedAndADeactivationNotYetInFulcrum();

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());
    bridge = BackupRestoreTest.serve(fulcrum, home);
    int answer = bridge.http().patch("/Groups/" + late, Bodies.patch(
        "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + member + "\\\"]\"}")).status();

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(answer).isBetween(200, 204);
    await().atMost(Duration.ofSeconds(30)).until(() -> lateGroups().stream().allMatch(g -> g.memberIds().isEmpty()));
    assertThat(lateGroups()).as("no second Late made").hasSize(1);
    assertThat(fulcrum.memberByEmail("member@corp.example")).as("the member stays; only its group membership went").isPresent();
  }

  @Test
  void aUserDeletedAfterTheBackupWhoseMemberWasStillThereIsCarriedForwardAndRemoved() throws Exception {
    fulcrum.deleteFault(leaverMember, DeleteFault.IGNORED);
    assertThat(bridge.http().delete("/Users/" + leaver).status()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(30)).until(() -> row(leaver).map(w -> w.state() == WorkState.RETRYING).orElse(false));
    stopTheService();

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());
    fulcrum.deleteFault(leaverMember, null);
    bridge = BackupRestoreTest.serve(fulcrum, home);

    assertThat(r.exit()).as(r.err()).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.member(leaverMember).isEmpty());
    assertThat(bridge.http().get("/Users/" + leaver).status()).isEqualTo(404);
    assertThat(r.out()).contains("leaver@corp.example (user/" + leaver + "): deleted");
  }

  /**
   * Okta deactivated the leaver after the backup and deleted it later, neither removal through yet:
   * the carried tombstone keeps when the leaver lost access (its deactivation), not the delete's time,
   * for a hand-over's same-person window (review-s4 F1).
   */
  @Test
  void aUserDeactivatedThenDeletedAfterTheBackupIsCarriedForwardLeftAtItsDeactivation() throws Exception {
    fulcrum.deleteFault(leaverMember, DeleteFault.IGNORED);
    assertThat(bridge.http().patch("/Users/" + leaver, BackupRestoreTest.DEACTIVATE).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> row(leaver).map(w -> w.state() == WorkState.RETRYING).orElse(false));
    Thread.sleep(20); // the delete's time differs from the deactivation's
    assertThat(bridge.http().delete("/Users/" + leaver).status()).isEqualTo(204);
    stopTheService();
    Instant deactivated = leftAt(leaver).orElseThrow();

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("leaver@corp.example (user/" + leaver + "): deleted");
    assertThat(leftAt(leaver)).contains(deactivated);
    assertThat(rows(cli.database, "user_tombstone")).singleElement().asString()
        .contains("left_at=" + deactivated.toEpochMilli()).doesNotContain("deleted_at=" + deactivated.toEpochMilli());
  }

  /** The replaced database is damaged (the reason for a restore): what can be read is carried, what cannot is named. */
  @Test
  void aDamagedReplacedDatabaseCarriesWhatCanBeReadAndNamesWhatCannotLoudly() throws Exception {
    afterTheBackupAGroupPushedAndADeactivationNotYetInFulcrum();
    damageTable(cli.database, "link");

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());
    fulcrum.deleteFault(leaverMember, null);
    bridge = BackupRestoreTest.serve(fulcrum, home);

    assertThat(r.exit()).as("restored, but the carry needs an operator: " + r.err()).isEqualTo(3);
    // the backup's own link to leaver's member is enough for the removal carried forward
    await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.member(leaverMember).isEmpty());
    assertThat(r.out()).contains("leaver@corp.example (user/" + leaver + "): deactivated");
    assertThat(r.err()).contains("WARNING: the replaced database " + cli.database + ".replaced-",
        " could not be read in full; NOT carried forward:",
        "SQLite's quick_check finds it damaged", "its links to Fulcrum", README_STEP);
  }

  /**
   * Late's link is on the damaged page: carried without it, Late would be made in Fulcrum a second
   * time while the first kept its member. Left out, it is named with the step that deals with it.
   */
  @Test
  void aGroupPushedAfterTheBackupWhoseLinkCannotBeReadIsNotMadeASecondTime() throws Exception {
    afterTheBackupAGroupPushedAndADeactivationNotYetInFulcrum();
    damageTable(cli.database, "link");

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());
    fulcrum.deleteFault(leaverMember, null);
    bridge = BackupRestoreTest.serve(fulcrum, home);

    assertThat(r.exit()).as("restored, but the carry needs an operator: " + r.err()).isEqualTo(3);
    await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.member(leaverMember).isEmpty());
    awaitQuiet();
    assertThat(lateGroups()).as("no second Late made").hasSize(1);
    assertThat(r.err()).contains("group/" + late + ": the group 'Late' pushed after the backup, left out: its link to"
        + " Fulcrum could not be read", README_STEP);
  }

  /**
   * Early was pushed before the backup while the reconciler was paused (the token refused): the
   * backup has it unlinked, with no create in doubt. After the backup the bridge made it in Fulcrum,
   * {@code changedAfter}: Okta changed it then too. Its link is on a damaged page of the replaced
   * database; the audit row of its create is not.
   */
  private String aGroupUnlinkedInTheBackupMadeAfterIt(boolean changedAfter) throws Exception {
    fulcrum.faults().revokeToken();
    bridge.http().put("/Users/" + member, Bodies.user("member@corp.example", "Mem", "Ber", true));
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> new SettingStore(db).get(Migrations.PAUSED_SINCE).isPresent());
    }
    String early = bridge.http().post("/Groups", Bodies.group("Early", member)).json().path("id").asText();
    Path backup = dir.resolve("early.db");
    assertThat(cli.runWithConfig("backup", backup.toString()).exit()).isZero();
    assertThat(groups("Early")).as("not made before the backup").isEmpty();
    fulcrum.faults().restoreToken();
    if (changedAfter) {
      assertThat(bridge.http().patch("/Groups/" + early, Bodies.patch(
          "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + member + "\\\"]\"}")).status()).isBetween(200, 204);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> !groups("Early").isEmpty()
        && groupRow(early).map(w -> w.state() == WorkState.DONE).orElse(false));
    stopTheService();
    damageTable(cli.database, "link");
    nightly = backup;
    return early;
  }

  /** Restored unlinked, Early would be made in Fulcrum a second time; the audit shows which one the bridge made for it. */
  @Test
  void aGroupUnlinkedInTheBackupWhoseLaterLinkCannotBeReadIsLinkedToTheGroupTheBridgeMadeNotMadeAgain() throws Exception {
    String early = aGroupUnlinkedInTheBackupMadeAfterIt(false);
    String made = groups("Early").get(0).id();

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());
    bridge = BackupRestoreTest.serve(fulcrum, home);

    assertThat(r.exit()).as("restored, but the links lost are recorded: " + r.err()).isEqualTo(3);
    await().atMost(Duration.ofSeconds(30)).until(() -> linkOf(early).isPresent());
    awaitQuiet();
    assertThat(groups("Early")).as("no second Early made").extracting(FulcrumGroup::id).containsExactly(made);
    assertThat(linkOf(early)).contains(made);
  }

  @Test
  void aGroupUnlinkedInTheBackupAndChangedAfterItWhoseLinkCannotBeReadIsNotMadeASecondTime() throws Exception {
    String early = aGroupUnlinkedInTheBackupMadeAfterIt(true);
    String made = groups("Early").get(0).id();

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());
    bridge = BackupRestoreTest.serve(fulcrum, home);

    assertThat(r.exit()).as(r.err()).isEqualTo(3);
    await().atMost(Duration.ofSeconds(30)).until(() -> linkOf(early).isPresent());
    awaitQuiet();
    assertThat(groups("Early")).as("no second Early made").extracting(FulcrumGroup::id).containsExactly(made);
  }

  @Test
  void aReplacedDatabaseThatCannotBeReadAtAllIsALoudWarningAndTheRestoreIsDone() throws Exception {
    afterTheBackupAGroupPushedAndADeactivationNotYetInFulcrum();
    Files.deleteIfExists(Path.of(cli.database + "-wal"));
    byte[] garbage = new byte[64 * 1024];
    Arrays.fill(garbage, (byte) 0x5a);
    Files.write(cli.database, garbage);

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as("restored, but the carry needs an operator: " + r.err()).isEqualTo(3);
    assertThat(r.err()).contains("WARNING: NOTHING was carried forward from the replaced database " + cli.database
        + ".replaced-", ": it cannot be read (", "leaves that person's access in Fulcrum",
        README_STEP);
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      assertThat(new RestoreMarker(db).current()).as("restored and recorded all the same").isPresent();
    }
  }

  /**
   * After the backup the guard held leaver's removal and an operator approved it: restored, the
   * removal goes ahead at once instead of being held again (a guard that holds every removal here).
   */
  @Test
  void aRemovalApprovedAfterTheBackupIsStillApprovedAfterTheRestore() throws Exception {
    afterTheBackupAGroupPushedAndADeactivationNotYetInFulcrum();
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_WRITE)) {
      // as the mass-removal guard leaves it
      db.write(c -> c.createStatement().executeUpdate("UPDATE work SET state = 'HELD', held_member = 'm-leaver' WHERE entity_id = '" + leaver + "'"));
    }
    assertThat(cli.runWithConfig("approve-removals", "user/" + leaver).exit()).isZero();

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      assertThat(new RemovalGuard(db, Clock.systemUTC(), 0, 0, Duration.ofHours(1))
          .holds(leaver, "m-leaver", new RemovalGuard.Removing(false, u -> false))).isEmpty();
      assertThat(row(leaver).orElseThrow().state()).isEqualTo(WorkState.PENDING);
    }
    assertThat(r.out()).contains(", 1 removal approval");
  }

  /** How leaver's deactivation stopped after the backup, on its member. */
  enum Stopped {
    /** DEAD, the person keeping access through the member (Fulcrum refused its removal). */
    DEAD,
    /** DEAD as above, then set aside with `journal skip`. */
    SET_ASIDE,
    /** DEAD as above, then queued again by a later change: the row keeps the member it stopped on. */
    QUEUED_AGAIN
  }

  /**
   * After the backup leaver's deactivation stopped on its member as {@code how} says, and the
   * backup is restored; then the member is removed by hand and leaver's address given to a new hire,
   * invited by hand, and the service starts adopting members (users.adopt_existing), as a DEAD row's
   * reason may advise; the new hire's member stays. Answers it.
   */
  private FulcrumMember stoppedAfterTheBackupThenRestoredAndTheAddressGivenToANewHire(Stopped how) throws Exception {
    fulcrum.deleteFault(leaverMember, DeleteFault.IGNORED);
    assertThat(bridge.http().patch("/Users/" + leaver, BackupRestoreTest.DEACTIVATE).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> row(leaver).map(w -> w.state() == WorkState.RETRYING).orElse(false));
    stopTheService();
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_WRITE)) {
      // as a DEAD removal with the person keeping access through the member leaves it
      db.write(c -> c.createStatement().executeUpdate("UPDATE work SET state = '" + (how == Stopped.QUEUED_AGAIN ? "RETRYING"
          : "DEAD") + "', held_member = '" + leaverMember + "', last_error = 'keeps access' WHERE entity_id = '" + leaver + "'"));
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      if (how == Stopped.SET_ASIDE) {
        assertThat(queue.skip(ResourceKey.user(leaver), queue.get(ResourceKey.user(leaver)).orElseThrow().generation())).isTrue();
      }
    }
    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("1 change that stopped", "leaver@corp.example (user/" + leaver + "): deactivated" + switch (how) {
      case DEAD -> "; its removal is DEAD there, and stays so";
      case SET_ASIDE -> "; its removal was set aside there (`journal skip`), and stays so: the person KEEPS ACCESS";
      case QUEUED_AGAIN -> "\n";
    });
    fulcrum.deleteFault(leaverMember, null);
    FulcrumMember hers;
    try (HttpFulcrumClient admin = byHand()) {
      admin.deleteMember(leaverMember, null);
      hers = admin.createMember(new MemberFields("leaver@corp.example", "Adeline", "Byron", null));
    }
    bridge = BackupRestoreTest.serve(fulcrum, home, "users:\n  adopt_existing: true\n");
    awaitQuiet();
    assertThat(fulcrum.member(hers.id())).as("the new hire's own member").isPresent();
    return hers;
  }

  /** Review-s9c L1: restored as a fresh change bound to no member, it adopted and removed the new hire's own account. */
  @Test
  void aChangeDeadOnItsMemberAfterTheBackupStaysDeadBoundToItAndLeavesANewHiresMemberAlone() throws Exception {
    FulcrumMember hers = stoppedAfterTheBackupThenRestoredAndTheAddressGivenToANewHire(Stopped.DEAD);

    WorkItem row = row(leaver).orElseThrow();
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.heldMember()).isEqualTo(leaverMember);
  }

  /** Set aside by an operator, the change stays set aside: run again, it took the new hire's member for the leaver's. */
  @Test
  void aChangeSetAsideAfterTheBackupStaysSetAsideBoundToItsMemberAndLeavesANewHiresMemberAlone() throws Exception {
    FulcrumMember hers = stoppedAfterTheBackupThenRestoredAndTheAddressGivenToANewHire(Stopped.SET_ASIDE);

    WorkItem row = row(leaver).orElseThrow();
    assertThat(row.setAside()).as(row.toString()).isTrue();
    assertThat(row.heldMember()).isEqualTo(leaverMember);
  }

  /** Queued again, the change runs bound to the member it stopped on: another one under the address is held, not removed. */
  @Test
  void aQueuedChangeThatStoppedOnItsMemberAfterTheBackupHoldsANewHiresMemberInsteadOfRemovingIt() throws Exception {
    FulcrumMember hers = stoppedAfterTheBackupThenRestoredAndTheAddressGivenToANewHire(Stopped.QUEUED_AGAIN);

    WorkItem row = row(leaver).orElseThrow();
    assertThat(row.state()).isEqualTo(WorkState.HELD);
    assertThat(row.lastError()).contains("on Fulcrum member " + leaverMember, "now names Fulcrum member " + hers.id());
  }

  /**
   * After the backup leaver's held removal was approved, then went DEAD (Fulcrum refused it): the
   * approval is carried, and the row stays DEAD, as it is there, for the operator to retry.
   */
  @Test
  void aRemovalApprovedThenDeadAfterTheBackupStaysDeadAfterTheRestore() throws Exception {
    afterTheBackupAGroupPushedAndADeactivationNotYetInFulcrum();
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_WRITE)) {
      db.write(c -> c.createStatement().executeUpdate("UPDATE work SET state = 'HELD', held_member = '" + leaverMember
          + "' WHERE entity_id = '" + leaver + "'"));
    }
    assertThat(cli.runWithConfig("approve-removals", "user/" + leaver).exit()).isZero();
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_WRITE)) {
      db.write(c -> c.createStatement().executeUpdate("UPDATE work SET state = 'DEAD', last_error = 'refused' WHERE entity_id = '"
          + leaver + "'"));
    }

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains(", 1 removal approval");
    assertThat(row(leaver).orElseThrow().state()).isEqualTo(WorkState.DEAD);
  }

  /**
   * The backup holds leaver's removal {@code inBackup}: RETRYING (its DELETE not taking yet), HELD by
   * the guard on its member, or DEAD (Fulcrum failing, no member recorded); after it the retry came
   * due (or an operator approved or retried it) and the bridge removed the member (link dropped, row
   * done); or, {@code goneByHand}, an admin removed the member by hand and the bridge found it gone
   * (only an UNLINK in its audit). Then that backup is restored. Answers the restore's result: the
   * restored link and row are the backup's, the replaced database says the removal was done.
   */
  private OpsCliRun.Result removalInTheBackupThenDoneAndRestored(WorkState inBackup, boolean goneByHand) throws Exception {
    fulcrum.deleteFault(leaverMember, DeleteFault.IGNORED);
    assertThat(bridge.http().patch("/Users/" + leaver, BackupRestoreTest.DEACTIVATE).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> row(leaver).map(w -> w.state() == WorkState.RETRYING).orElse(false));
    stopTheService();
    switch (inBackup) {
      // as the mass-removal guard leaves it
      case HELD -> update("UPDATE work SET state = 'HELD', held_member = '" + leaverMember + "', last_error = 'held until"
          + " `fulcrum-scim approve-removals`' WHERE entity_id = '" + leaver + "'");
      // a removal out of its retry budget
      case DEAD -> update("UPDATE work SET state = 'DEAD', held_member = NULL, last_error = '503' WHERE entity_id = '" + leaver
          + "'");
      default -> { }
    }
    Path backup = dir.resolve("stopped.db");
    assertThat(cli.runWithConfig("backup", backup.toString()).exit()).isZero();
    switch (inBackup) {
      case HELD -> assertThat(cli.runWithConfig("approve-removals", "user/" + leaver).exit()).isZero();
      case DEAD -> assertThat(cli.runWithConfig("journal", "retry", "user/" + leaver).exit()).isZero();
      // its next try comes due
      default -> update("UPDATE work SET next_attempt_at = 0 WHERE entity_id = '" + leaver + "'");
    }
    fulcrum.deleteFault(leaverMember, null);
    if (goneByHand) {
      try (HttpFulcrumClient admin = byHand()) {
        admin.deleteMember(leaverMember, null);
      }
    }
    bridge = BackupRestoreTest.serve(fulcrum, home);
    await().atMost(Duration.ofSeconds(30)).until(() -> row(leaver).map(w -> w.state() == WorkState.DONE).orElse(false));
    assertThat(fulcrum.member(leaverMember)).isEmpty();
    stopTheService();
    OpsCliRun.Result r = cli.runWithConfig("restore", backup.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    return r;
  }

  /**
   * Review-s10a F1: restored as the backup held it, the removal stayed HELD, status paging that the
   * person keeps access (gone from Fulcrum) until an operator approved it a second time; the restore
   * said nothing of it. Now it is verified when the service starts, and the restore says so.
   */
  @Test
  void aHeldRemovalApprovedAndDoneAfterTheBackupIsVerifiedAgainNotHeldAgain() throws Exception {
    OpsCliRun.Result r = removalInTheBackupThenDoneAndRestored(WorkState.HELD, false);

    assertThat(r.out()).contains("leaver@corp.example (user/" + leaver + "): bound to Fulcrum member " + leaverMember);
    assertThat(row(leaver).orElseThrow().state()).isEqualTo(WorkState.PENDING);
    OpsCliRun.Result status = cli.runWithConfig("status");
    assertThat(status.out()).as(status.out()).doesNotContain("keep access");
    bridge = BackupRestoreTest.serve(fulcrum, home);
    await().atMost(Duration.ofSeconds(30)).until(() -> row(leaver).map(w -> w.state() == WorkState.DONE).orElse(false));
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      assertThat(new LinkStore(db).get(EntityType.USER, leaver)).isEmpty();
    }
    assertThat(fulcrum.memberByEmail("member@corp.example")).isPresent();
  }

  /**
   * Verified again, the removal finds the leaver's address given to a new hire invited by hand since
   * (the service adopting members: users.adopt_existing): it is held on that member, not removed.
   */
  @Test
  void aHeldRemovalDoneAfterTheBackupVerifiedAgainLeavesANewHiresMemberUnderTheAddressAlone() throws Exception {
    removalInTheBackupThenDoneAndRestored(WorkState.HELD, false);
    FulcrumMember hers = aNewHireGivenLeaversAddressThenTheServiceStartsAdopting();

    assertThat(fulcrum.member(hers.id())).as("the new hire's own member").isPresent();
    WorkItem row = row(leaver).orElseThrow();
    assertThat(row.state()).isEqualTo(WorkState.HELD);
    assertThat(row.lastError()).contains("Fulcrum member " + leaverMember, "now names Fulcrum member " + hers.id());
  }

  /**
   * A DEAD removal recorded no member; retried and done after the backup, it is verified again bound
   * to the member removed: bound to none, the guard let it adopt and remove the new hire's.
   */
  @Test
  void aDeadRemovalDoneAfterTheBackupVerifiedAgainLeavesANewHiresMemberUnderTheAddressAlone() throws Exception {
    OpsCliRun.Result r = removalInTheBackupThenDoneAndRestored(WorkState.DEAD, false);
    assertThat(r.out()).contains("leaver@corp.example (user/" + leaver + "): bound to Fulcrum member " + leaverMember
        + ", gone after the backup; in the backup its removal is DEAD");
    FulcrumMember hers = aNewHireGivenLeaversAddressThenTheServiceStartsAdopting();

    assertThat(fulcrum.member(hers.id())).as("the new hire's own member").isPresent();
    assertThat(row(leaver).orElseThrow().state()).isEqualTo(WorkState.HELD);
  }

  /**
   * Review-s11a R1: a removal still retrying when the backup was taken (not stopped), done after it,
   * was restored bound to no member: the start adopted the new hire's member under the address and
   * removed it. Bound to the member removed, it is held on the new hire's.
   */
  @Test
  void aRetryingRemovalDoneAfterTheBackupLeavesANewHiresMemberUnderTheAddressAlone() throws Exception {
    removalInTheBackupThenDoneAndRestored(WorkState.RETRYING, false);
    FulcrumMember hers = aNewHireGivenLeaversAddressThenTheServiceStartsAdopting();

    assertThat(fulcrum.member(hers.id())).as("the new hire's own member").isPresent();
    assertThat(row(leaver).orElseThrow().state()).isEqualTo(WorkState.HELD);
  }

  /** The restore names the removal it bound, as the backup held it: retrying there, not held or DEAD. */
  @Test
  void aRetryingRemovalDoneAfterTheBackupIsListedBoundToTheMemberRemoved() throws Exception {
    OpsCliRun.Result r = removalInTheBackupThenDoneAndRestored(WorkState.RETRYING, false);

    assertThat(r.out()).contains(", 1 removal done after the backup (bound to the member gone)", "leaver@corp.example (user/"
        + leaver + "): bound to Fulcrum member " + leaverMember + ", gone after the backup; in the backup its removal is"
        + " retrying");
    assertThat(row(leaver).orElseThrow().heldMember()).isEqualTo(leaverMember);
  }

  /**
   * A DEAD removal whose member an admin removed by hand after the backup, the bridge then finding
   * it gone (an UNLINK, no REMOVE_MEMBER): restored DEAD, status paged that the person keeps access.
   */
  @Test
  void aDeadRemovalFoundGoneAfterTheBackupIsVerifiedAgainNotCountedAsKeepingAccess() throws Exception {
    removalInTheBackupThenDoneAndRestored(WorkState.DEAD, true);

    assertThat(row(leaver).orElseThrow().state()).isEqualTo(WorkState.PENDING);
    OpsCliRun.Result status = cli.runWithConfig("status");
    assertThat(status.out()).as(status.out()).doesNotContainIgnoringCase("keep access");
  }

  /** The leaver's address given to a new hire invited by hand; the service starts adopting members. Answers the new hire's. */
  private FulcrumMember aNewHireGivenLeaversAddressThenTheServiceStartsAdopting() throws Exception {
    FulcrumMember hers;
    try (HttpFulcrumClient admin = byHand()) {
      hers = admin.createMember(new MemberFields("leaver@corp.example", "Adeline", "Byron", null));
    }

    bridge = BackupRestoreTest.serve(fulcrum, home, "users:\n  adopt_existing: true\n");
    awaitQuiet();
    return hers;
  }

  /** A WARNING is read once or never: what was lost stays in status, exit 3, until an operator acknowledges it. */
  @Test
  void aCarryThatLostSomethingIsShownByStatusUntilAnOperatorAcknowledgesIt() throws Exception {
    stopTheService();
    Files.deleteIfExists(Path.of(cli.database + "-wal"));
    Files.write(cli.database, new byte[64 * 1024]);
    assertThat(cli.runWithConfig("restore", nightly.toString()).exit()).isEqualTo(3);

    OpsCliRun.Result before = cli.runWithConfig("status");
    OpsCliRun.Result acknowledged = cli.runWithConfig("restore", "acknowledge");
    OpsCliRun.Result after = cli.runWithConfig("status");

    assertThat(before.exit()).as(before.out()).isEqualTo(3);
    assertThat(before.out()).containsPattern("Carry forward\\s+INCOMPLETE: the restore at \\S+ could not carry forward 1 thing")
        .contains(README_STEP + ", then `fulcrum-scim restore acknowledge`", "NOT CARRIED FORWARD by the restore at ",
            "- nothing was carried: it cannot be read (");
    assertThat(acknowledged.exit()).as(acknowledged.err()).isZero();
    assertThat(acknowledged.out()).startsWith("acknowledged: what the restore at ");
    assertThat(after.exit()).as(after.out()).isZero();
    assertThat(after.out()).containsPattern("Carry forward\\s+nothing left to check").doesNotContain("NOT CARRIED");
  }

  /** Nothing happened after the backup: the restored database is the backup, as before the carry existed. */
  @Test
  void whenNothingIsNewerThanTheBackupNothingIsCarriedAndTheRestoredDataIsTheBackups() throws Exception {
    stopTheService();

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).contains("nothing to carry forward: the replaced database " + cli.database + ".replaced-",
        " holds nothing newer than the backup");
    for (String table : List.of("scim_user", "scim_group", "scim_group_member", "journal", "link", "reconcile_audit",
        "reconcile_intent", "user_tombstone", "work")) {
      assertThat(rows(cli.database, table)).as(table).isEqualTo(rows(nightly, table));
    }
  }

  @Test
  void markRestoredCarriesForwardFromTheReplacedFileItIsGiven() throws Exception {
    afterTheBackupAGroupPushedAndADeactivationNotYetInFulcrum();
    // restored by hand: the old file moved aside (its WAL with it), the backup copied in
    Path old = dir.resolve("old.db");
    Files.move(cli.database, old);
    if (Files.exists(Path.of(cli.database + "-wal"))) {
      Files.move(Path.of(cli.database + "-wal"), Path.of(old + "-wal"));
    }
    Files.deleteIfExists(Path.of(cli.database + "-shm"));
    Files.copy(nightly, cli.database);

    OpsCliRun.Result[] marked = new OpsCliRun.Result[1];
    // the copy holds the lease of the daemon backed up seconds ago: marking waits until it has run out
    await().atMost(Duration.ofSeconds(30)).until(
        () -> (marked[0] = cli.runWithConfig("db", "mark-restored", "--replaced", old.toString())).exit() == 0);
    fulcrum.deleteFault(leaverMember, null);
    bridge = BackupRestoreTest.serve(fulcrum, home);

    await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.member(leaverMember).isEmpty());
    assertThat(marked[0].out()).contains("leaver@corp.example (user/" + leaver + "): deactivated");
    assertThat(marked[0].err()).doesNotContain("WARNING");
  }

  /** Run again with the same file (the operator unsure the first took): nothing is carried a second time, and it says so. */
  @Test
  void markRestoredRunTwiceWithTheSameFileCarriesNothingTheSecondTime() throws Exception {
    afterTheBackupAGroupPushedAndADeactivationNotYetInFulcrum();
    Path old = dir.resolve("old.db");
    Files.move(cli.database, old);
    if (Files.exists(Path.of(cli.database + "-wal"))) {
      Files.move(Path.of(cli.database + "-wal"), Path.of(old + "-wal"));
    }
    Files.deleteIfExists(Path.of(cli.database + "-shm"));
    Files.copy(nightly, cli.database);
    await().atMost(Duration.ofSeconds(30)).until(
        () -> cli.runWithConfig("db", "mark-restored", "--replaced", old.toString()).exit() == 0);

    OpsCliRun.Result again = cli.runWithConfig("db", "mark-restored", "--replaced", old.toString());

    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("nothing to carry forward: the replaced database " + old)
        .doesNotContain("leaver@corp.example");
    assertThat(again.err()).doesNotContain("WARNING");
  }

  /**
   * After the backup Okta pushed newcomer, whose invitation had not gone through when the service
   * stopped. The first `db mark-restored` carries newcomer forward as Okta's word after the restore;
   * run again before the service starts (the operator unsure the first took), it is the same restore:
   * marked anew, newcomer's carried entries would count as before it and newcomer be held.
   */
  @Test
  void markRestoredRunTwiceBeforeTheServiceStartsKeepsTheFirstMarkSoAUserItCarriedIsInvited() throws Exception {
    fulcrum.faults().errorShare(1.0);
    String newcomer = bridge.http().post("/Users", Bodies.user("newcomer@corp.example")).json().path("id").asText();
    await().atMost(Duration.ofSeconds(30)).until(() -> row(newcomer).map(w -> w.state() == WorkState.RETRYING).orElse(false));
    stopTheService();
    fulcrum.faults().clear();
    Path old = restoredByHand();
    OpsCliRun.Result[] first = new OpsCliRun.Result[1];
    await().atMost(Duration.ofSeconds(30)).until(
        () -> (first[0] = cli.runWithConfig("db", "mark-restored", "--replaced", old.toString())).exit() == 0);

    OpsCliRun.Result again = cli.runWithConfig("db", "mark-restored", "--replaced", old.toString());
    bridge = BackupRestoreTest.serve(fulcrum, home);

    await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.memberByEmail("newcomer@corp.example").isPresent());
    assertThat(again.exit()).as(again.err()).isZero();
    String firstAt = first[0].out().replaceAll("(?s)^restore recorded at (\\S+) .*", "$1");
    assertThat(again.out()).startsWith("restore already recorded at " + firstAt + " in ")
        .contains("no service has run on it since: kept as it is");
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      assertThat(new RestoreMarker(db).current().orElseThrow().at()).hasToString(firstAt);
    }
  }

  /**
   * First run with the replaced file, everything carried; run again without it before the service
   * starts (review-s1 F3): the same restore, whose complete carry stands. It recorded that nothing
   * was carried, and status exited 3 until `restore acknowledge`.
   */
  @Test
  void markRestoredRunAgainWithoutTheReplacedFileKeepsTheFirstRunsCompleteCarry() throws Exception {
    afterTheBackupAGroupPushedAndADeactivationNotYetInFulcrum();
    Path old = restoredByHand();
    await().atMost(Duration.ofSeconds(30)).until(
        () -> cli.runWithConfig("db", "mark-restored", "--replaced", old.toString()).exit() == 0);

    OpsCliRun.Result again = cli.runWithConfig("db", "mark-restored");

    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).startsWith("restore already recorded at ")
        .contains("its carry forward is kept as recorded: nothing it could not carry is left to check");
    assertThat(again.err()).doesNotContain("WARNING");
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      assertThat(IncompleteCarry.current(db)).isEmpty();
    }
  }

  /** First run without the replaced file, run again without it: still nothing carried, said again. */
  @Test
  void markRestoredRunAgainWithoutTheReplacedFileAfterAFirstWithoutItStillSaysNothingWasCarried() throws Exception {
    stopTheService();
    restoredByHand();
    await().atMost(Duration.ofSeconds(30)).until(() -> cli.runWithConfig("db", "mark-restored").exit() == 3);

    OpsCliRun.Result again = cli.runWithConfig("db", "mark-restored");

    assertThat(again.exit()).as(again.err()).isEqualTo(3);
    assertThat(again.err()).contains("WARNING: its carry forward is kept as recorded at ")
        .contains("  - nothing was carried: no replaced database was named (--replaced FILE)")
        .contains("run `fulcrum-scim db mark-restored --replaced FILE` with it now");
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      assertThat(IncompleteCarry.current(db)).isPresent();
    }
  }

  /** Once a service ran on the restored database, marking it is a restore of its own, as before. */
  @Test
  void markRestoredAfterTheServiceRanOnTheRestoredDatabaseRecordsANewRestore() throws Exception {
    stopTheService();
    Path old = restoredByHand();
    await().atMost(Duration.ofSeconds(30)).until(
        () -> cli.runWithConfig("db", "mark-restored", "--replaced", old.toString()).exit() == 0);
    bridge = BackupRestoreTest.serve(fulcrum, home);
    awaitQuiet();
    stopTheService();

    OpsCliRun.Result again = cli.runWithConfig("db", "mark-restored", "--replaced", old.toString());

    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).startsWith("restore recorded at ").contains("(in place of the earlier one, whose releases no longer count)");
  }

  /** Restored by hand: the old file moved aside (its WAL with it), the backup copied in; answers the old file. */
  private Path restoredByHand() throws Exception {
    Path old = dir.resolve("old.db");
    Files.move(cli.database, old);
    if (Files.exists(Path.of(cli.database + "-wal"))) {
      Files.move(Path.of(cli.database + "-wal"), Path.of(old + "-wal"));
    }
    Files.deleteIfExists(Path.of(cli.database + "-shm"));
    Files.copy(nightly, cli.database);
    return old;
  }

  /** Fulcrum as its admin uses it by hand. */
  private HttpFulcrumClient byHand() {
    return new HttpFulcrumClient(FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(), 3_600_000, Duration.ofSeconds(5),
        Duration.ofSeconds(5)), new SimpleMeterRegistry(), Clock.systemUTC(), Sleeper.REAL, FulcrumCallListener.NONE);
  }

  private void stopTheService() {
    if (bridge != null) {
      bridge.close();
      bridge = null;
    }
  }

  private List<FulcrumGroup> groups(String name) {
    return fulcrum.groups().stream().filter(g -> g.name().equals(name)).toList();
  }

  private Optional<String> linkOf(String groupId) {
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      return new LinkStore(db).get(EntityType.GROUP, groupId).map(Link::fulcrumId);
    }
  }

  private Optional<WorkItem> groupRow(String groupId) {
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      return new WorkQueue(db, Clock.systemUTC()).get(ResourceKey.group(groupId));
    }
  }

  private List<FulcrumGroup> lateGroups() {
    return fulcrum.groups().stream().filter(g -> g.name().equals("Late")).toList();
  }

  /** Overwrites the root page of {@code table} with garbage, its WAL checkpointed into the file first. */
  private static void damageTable(Path file, String table) throws Exception {
    long rootPage;
    long pageSize;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      try (ResultSet rs = s.executeQuery("SELECT rootpage FROM sqlite_master WHERE name = '" + table + "'")) {
        rootPage = rs.getLong(1);
      }
      try (ResultSet rs = s.executeQuery("PRAGMA page_size")) {
        pageSize = rs.getLong(1);
      }
    }
    byte[] garbage = new byte[(int) pageSize];
    Arrays.fill(garbage, (byte) 0x5a);
    try (FileChannel f = FileChannel.open(file, StandardOpenOption.WRITE)) {
      f.write(ByteBuffer.wrap(garbage), (rootPage - 1) * pageSize);
      f.force(true);
    }
  }

  /** Every row of {@code table} in {@code file}, as text, in primary key order. */
  private static List<String> rows(Path file, String table) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY 1, 2")) {
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.append(rs.getMetaData().getColumnName(i)).append('=').append(rs.getString(i)).append(' ');
        }
        out.add(row.toString());
      }
    }
    return out;
  }

  private Optional<Instant> leftAt(String userId) {
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      return db.read(c -> new Tombstones().leftAt(c, userId));
    }
  }

  /** Runs {@code sql} on the live database, the service stopped. */
  private void update(String sql) {
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_WRITE)) {
      db.write(c -> c.createStatement().executeUpdate(sql));
    }
  }

  private Optional<WorkItem> row(String userId) {
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      return new WorkQueue(db, Clock.systemUTC()).get(ResourceKey.user(userId));
    }
  }

  /** Until no work row is due or being worked on: whatever the reconciler was going to do, it did. */
  private void awaitQuiet() {
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      await().atMost(Duration.ofSeconds(30)).until(() -> queue.list(null, Integer.MAX_VALUE).stream()
          .allMatch(w -> w.state() != WorkState.PENDING && w.state() != WorkState.RUNNING && w.state() != WorkState.RETRYING));
    }
  }

  private void awaitSettled() {
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> DesiredVsActual.unsettled(db).isEmpty());
    }
  }
}
