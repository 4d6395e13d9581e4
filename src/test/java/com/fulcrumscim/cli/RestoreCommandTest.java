package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;

import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.OlderRelease;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.RestoreMarker;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.DesiredVsActual;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restore BACKUP} end to end: a backup taken, people deactivated in Okta after it, the
 * backup restored with the command, the daemon started again on it. Whoever Okta deprovisioned
 * after the backup is active and linked in it while their member is gone: they must not be invited
 * again until Okta speaks of them or an operator releases them.
 */
class RestoreCommandTest {
  static final String DEACTIVATE = BackupRestoreTest.DEACTIVATE;

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  @TempDir Path dir;
  FulcrumEmulator fulcrum;
  ScimTestServer bridge;
  Path home;
  OpsCliRun cli;
  Path nightly;
  String stays;
  String leaver;
  String returner;
  String crew;

  @BeforeEach
  void aBackupThenTwoPeopleDeactivatedAfterIt() throws Exception {
    fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0);
    home = Files.createDirectories(dir.resolve("live"));
    cli = new OpsCliRun(home, "fulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token() + "\n");
    bridge = serve();
    ScimHttp okta = bridge.http();
    stays = okta.post("/Users", Bodies.user("stays@corp.example")).json().path("id").asText();
    leaver = okta.post("/Users", Bodies.user("leaver@corp.example")).json().path("id").asText();
    returner = okta.post("/Users", Bodies.user("returner@corp.example")).json().path("id").asText();
    crew = okta.post("/Groups", Bodies.group("Crew", stays, leaver, returner)).json().path("id").asText();
    awaitSettled();
    nightly = dir.resolve("nightly.db");
    assertThat(cli.runWithConfig("backup", nightly.toString()).exit()).isZero();
    okta.patch("/Users/" + leaver, DEACTIVATE);
    okta.patch("/Users/" + returner, DEACTIVATE);
    awaitSettled();
    assertThat(fulcrum.memberByEmail("leaver@corp.example")).isEmpty();
    assertThat(fulcrum.memberByEmail("returner@corp.example")).isEmpty();
    bridge.close();
    bridge = null;
  }

  @AfterEach
  void stop() {
    if (bridge != null) {
      bridge.close();
    }
    fulcrum.close();
  }

  ScimTestServer serve() throws Exception {
    return BackupRestoreTest.serve(fulcrum, home);
  }

  /**
   * The restore onto a new host, the old one lost with its database (nothing to carry forward from),
   * then the daemon started on the restored database and a change to the group the leavers were in.
   */
  void restoreAndTouchTheirGroup() throws Exception {
    for (String name : new String[] {"bridge.db", "bridge.db-wal", "bridge.db-shm"}) {
      Files.deleteIfExists(home.resolve(name));
    }
    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());
    assertThat(r.exit()).as("restored, but the carry needs an operator: " + r.err()).isEqualTo(3);
    assertThat(r.err()).contains("WARNING: NOTHING was carried forward from the replaced database " + cli.database
        + ": there is no such file");
    bridge = serve();
    bridge.http().patch("/Groups/" + crew, Bodies.patch("""
        {"op":"replace","path":"displayName","value":"Crew 2"}"""));
  }

  @Test
  void aPersonDeactivatedAfterTheBackupIsHeldNotInvitedAgainAndTheRowSaysWhyAndWhatToDo() throws Exception {
    restoreAndTouchTheirGroup();

    WorkItem row = awaitRow(leaver, WorkState.DEAD);
    assertThat(row.lastError()).contains("leaver@corp.example", "restored from a backup at",
        "may have been deprovisioned after the backup", "send the deactivation", "push the user again",
        "fulcrum-scim restore release user/" + leaver);
    await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.groups().stream().anyMatch(g -> g.name().equals("Crew 2")));
    assertThat(fulcrum.memberByEmail("leaver@corp.example")).as("invited again").isEmpty();
    assertThat(fulcrum.memberByEmail("stays@corp.example")).isPresent();

    OpsCliRun.Result status = cli.runWithConfig("status");
    assertThat(status.exit()).isEqualTo(3);
    assertThat(status.out()).containsPattern("Restored from a backup\\s+at .*: \\d users? HELD").contains("user/" + leaver);
  }

  @Test
  void resyncShowsTheHeldPeopleInItsPlanAndDoesNotInviteThemAgain() throws Exception {
    restoreAndTouchTheirGroup();
    awaitRow(leaver, WorkState.DEAD);

    OpsCliRun.Result dryRun = cli.runWithConfig("resync", "--dry-run");
    OpsCliRun.Result applied = cli.runWithConfig("resync");

    assertThat(dryRun.out()).containsPattern("user leaver@corp.example\\s+member\\s+missing \\(link to \\S+ is stale\\)"
        + "\\s+leaver@corp.example\\s+held after a restore: ");
    assertThat(dryRun.out()).containsPattern("user returner@corp.example\\s+member\\s+missing .*held after a restore: ");
    assertThat(applied.out()).contains("held after a restore: user leaver@corp.example");
    assertThat(fulcrum.memberByEmail("leaver@corp.example")).as("invited again").isEmpty();
    assertThat(fulcrum.memberByEmail("returner@corp.example")).as("invited again").isEmpty();
  }

  @Test
  void aUserOktaPushesAgainAfterTheRestoreIsInvitedAgain() throws Exception {
    restoreAndTouchTheirGroup();
    // Okta assigns the returner again: re-applying the assignments sends the user as the backup has it
    assertThat(bridge.http().put("/Users/" + returner, Bodies.user("returner@corp.example")).status()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.memberByEmail("returner@corp.example").isPresent());
    awaitRow(leaver, WorkState.DEAD);
    assertThat(fulcrum.memberByEmail("leaver@corp.example")).isEmpty();
  }

  @Test
  void releasingAHeldUserInvitesItAgainAndNoOneElse() throws Exception {
    restoreAndTouchTheirGroup();
    awaitRow(leaver, WorkState.DEAD);
    awaitRow(returner, WorkState.DEAD);

    OpsCliRun.Result r = cli.runWithConfig("restore", "release", "user/" + returner);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("user/" + returner + " released");
    await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.memberByEmail("returner@corp.example").isPresent());
    assertThat(row(leaver).state()).isEqualTo(WorkState.DEAD);
    assertThat(fulcrum.memberByEmail("leaver@corp.example")).isEmpty();
  }

  @Test
  void releasingAllEndsTheHoldsAndStatusNoLongerShowsTheRestore() throws Exception {
    restoreAndTouchTheirGroup();
    awaitRow(leaver, WorkState.DEAD);

    OpsCliRun.Result r = cli.runWithConfig("restore", "release", "--all");

    assertThat(r.exit()).as(r.err()).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.memberByEmail("leaver@corp.example").isPresent());
    awaitSettled();
    assertThat(cli.runWithConfig("status").out()).containsPattern("Restored from a backup\\s+no ");
  }

  @Test
  void aRestoreMadeOutsideTheBridgeHoldsTheSameOnceMarked() throws Exception {
    // litestream restore, or a copy by hand: the old file and its -wal/-shm go, the backup comes in
    for (String name : new String[] {"bridge.db", "bridge.db-wal", "bridge.db-shm"}) {
      Files.deleteIfExists(home.resolve(name));
    }
    Files.copy(nightly, cli.database);
    // the copy holds the lease of the daemon backed up seconds ago: marking waits until it has run out.
    // The deactivations after the backup took longer than that lease (a group looks again at a leaver
    // 5 s on), so it is made as fresh as a copy taken just after the backup holds it.
    try (Database copy = Database.openExisting(cli.database, Database.Access.READ_WRITE)) {
      copy.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET expires_at = "
          + (System.currentTimeMillis() + 3_000)));
    }
    OpsCliRun.Result refused = cli.runWithConfig("db", "mark-restored");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("holds the writer lease", "stop every node first", "nothing was changed");

    OpsCliRun.Result[] marked = new OpsCliRun.Result[1];
    await().atMost(Duration.ofSeconds(30)).until(() -> (marked[0] = cli.runWithConfig("db", "mark-restored")).exit() == 3);

    assertThat(marked[0].out()).startsWith("restore recorded at ");
    assertThat(marked[0].err()).contains("WARNING: NOTHING was carried forward from the database this restore replaced",
        "run `fulcrum-scim db mark-restored --replaced FILE`");
    bridge = serve();
    await().atMost(Duration.ofSeconds(30)).until(() -> logs.events().stream().anyMatch(e ->
        e.getLevel() == Level.WARN && e.getFormattedMessage().startsWith("this database was restored from a backup at ")));
    bridge.http().patch("/Groups/" + crew, Bodies.patch("""
        {"op":"replace","path":"displayName","value":"Crew 2"}"""));
    assertThat(awaitRow(leaver, WorkState.DEAD).lastError()).contains("restored from a backup at");
    assertThat(fulcrum.memberByEmail("leaver@corp.example")).isEmpty();
  }

  @Test
  void theReplacedDatabaseIsKeptAsidePrivatelyAndTheRestoredOneIsPrivateWithoutTheOldWal() throws Exception {
    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    Path kept;
    try (Stream<Path> files = Files.list(home)) {
      kept = files.filter(f -> f.getFileName().toString().startsWith("bridge.db.replaced-")
          && !f.getFileName().toString().endsWith("-wal")).findFirst().orElseThrow();
    }
    assertThat(r.out()).contains("kept as " + kept);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.database))).isEqualTo("rw-------");
    assertThat(home.resolve("bridge.db.restoring")).doesNotExist();
    // the replaced database is whole: the leavers are inactive in it, as Okta left them
    try (Database old = Database.openExisting(kept, Database.Access.READ_ONLY)) {
      int inactive = old.read(c -> {
        try (var s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM scim_user WHERE active = 0")) {
          return rs.next() ? rs.getInt(1) : -1;
        }
      });
      assertThat(inactive).isEqualTo(2);
    }
  }

  /**
   * A directory its user may write in but not read (mode 0300) cannot be opened to sync it: by then
   * the restored file has taken the database's place, so the restore is done and says so.
   */
  @Test
  void aDirectoryThatCannotBeSyncedAfterTheSwapIsAWarningNotAFailedRestore() throws Exception {
    BridgeProcess.CommandRun r;
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("-wx------"));
    try {
      r = BridgeProcess.commandBoundByFileModes(cli.config, "restore", nightly.toString());
    } finally {
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
    }

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("the restore is done, but its directory " + home + " could not be synced to disk: "
        + "permission denied on " + home);
    assertThat(r.out()).contains("restored " + nightly + " to " + cli.database, "restore recorded at");
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      assertThat(new RestoreMarker(db).current()).as("the restored database, marked").isPresent();
    }
  }

  /** The backup was taken while serve ran: its lease is in it, as would be a request no daemon had answered yet. */
  @Test
  void theRestoredDatabaseHoldsNoLeaseAndNoUnansweredRequestOfTheBackupsTime() throws Exception {
    try (Database backup = Database.openExisting(nightly, Database.Access.READ_WRITE)) {
      assertThat(count(backup, "SELECT count(*) FROM writer_lease")).as("the backed-up daemon's lease").isEqualTo(1);
      backup.write(c -> {
        try (var s = c.createStatement()) {
          return s.executeUpdate("INSERT INTO operator_request (kind, state, created_at, updated_at) "
              + "VALUES ('APPROVE_REMOVALS', 'PENDING', 1, 1), ('RESYNC', 'RUNNING', 1, 1), ('RESYNC', 'DONE', 1, 1)");
        }
      });
    }

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      assertThat(count(db, "SELECT count(*) FROM writer_lease")).isZero();
      assertThat(count(db, "SELECT count(*) FROM operator_request")).as("only the answered one").isEqualTo(1);
    }
  }

  private static int count(Database db, String sql) {
    return db.read(c -> {
      try (var s = c.createStatement(); var rs = s.executeQuery(sql)) {
        return rs.next() ? rs.getInt(1) : -1;
      }
    });
  }

  /** Run as root instead of `sudo -u fulcrum-scim`: the service's user must still be able to open the file. */
  @Test
  void theRestoredFileBelongsToWhoeverOwnedTheOneItReplaces() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a file away");
    UserPrincipalLookupService names = cli.database.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(cli.database, names.lookupPrincipalByName("nobody"));
    GroupPrincipal nobodys = nobodysGroup(names);
    Files.getFileAttributeView(cli.database, PosixFileAttributeView.class).setGroup(nobodys);

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    PosixFileAttributes restored = Files.readAttributes(cli.database, PosixFileAttributes.class);
    assertThat(restored.owner().getName()).isEqualTo("nobody");
    assertThat(restored.group()).isEqualTo(nobodys);
  }

  private static GroupPrincipal nobodysGroup(UserPrincipalLookupService names) throws IOException {
    try {
      return names.lookupPrincipalByGroupName("nogroup"); // Debian's
    } catch (UserPrincipalNotFoundException e) {
      return names.lookupPrincipalByGroupName("nobody");
    }
  }

  @Test
  void restoreRefusesWhileServeRunsAndChangesNothing() throws Exception {
    bridge = serve();
    long before = Files.size(cli.database);

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).isEqualTo(1);
    // the daemon runs in this JVM: its log lines share stderr and may come before or after the refusal
    assertThat(r.err().strip().lines().filter(line -> !line.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*")).reduce((a, b) -> b).orElseThrow())
        .startsWith(cli.database + " is in use by serve (").endsWith("): stop it first (systemctl stop fulcrum-scim); nothing was changed");
    assertThat(Files.size(cli.database)).isEqualTo(before);
    try (Stream<Path> files = Files.list(home)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.contains(".replaced-") || n.endsWith(".restoring"));
    }
    assertThat(bridge.http().get("/Users/" + leaver).json().path("active").asBoolean()).isFalse();
  }

  /** A tarball upgrade with the old release still running: its schema is not this release's, its lease is live. */
  @Test
  void restoreRefusesWhileADaemonOfAnOlderReleaseHoldsTheDatabase() throws Exception {
    Path old = Files.createDirectories(dir.resolve("old"));
    Path oldDb = old.resolve("bridge.db");
    StoreLocation at = new StoreLocation.SqliteFile(oldDb);
    OlderRelease.schema(at, OlderRelease.newest() - 1);
    OlderRelease.holdsTheLease(at, "4242@old-release/1a2b3c4d", "DAEMON", Instant.now().plus(Duration.ofMinutes(10)));
    OpsCliRun oldCli = new OpsCliRun(old, "fulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token() + "\n");
    long before = Files.size(oldDb);

    OpsCliRun.Result r = oldCli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("the writer lease on " + oldDb + " is a daemon's (4242@old-release/1a2b3c4d)")
        .contains("Only a daemon of a release before 6 December 2026, which takes no lock, or one before 8 December 2026"
            + " on a symbolic storage.path, which locks a file beside the link, would run on the file now: stop that one"
            + " first (systemctl stop fulcrum-scim); nothing was changed");
    assertThat(Files.size(oldDb)).isEqualTo(before);
    assertThat(OlderRelease.version(at)).isEqualTo(OlderRelease.newest() - 1);
  }

  /**
   * restore holds the file's lock, so a daemon's lease it finds is a serve's killed outright, whose
   * service is stopped already (review-s12e F4): "stop it first" sent the operator to stop what was not running.
   */
  @Test
  void restoreAfterAServeKilledOutrightSaysTheLeaseIsAStoppedServesAndWhenItEnds() throws Exception {
    Instant expires;
    try (Database db = cli.openDatabase()) {
      WriterLease killed = new WriterLease(db, Clock.systemUTC(), WriterLease.Role.DAEMON);
      assertThat(killed.tryHold()).isTrue();
      expires = killed.current().orElseThrow().expiresAt().truncatedTo(ChronoUnit.SECONDS);
    }

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("the writer lease on " + cli.database + " is a daemon's (")
        .contains("), yet no serve has the file (restore holds its lock): a serve killed outright, or whose machine"
            + " restarted, left it, and it ends at " + expires + "; run restore again after that, with serve still stopped.")
        .endsWith("; nothing was changed");
  }

  /** An operator command's lease (check --write-test's, without the file's lock) ends with it: "stop it first" named the service. */
  @Test
  void restoreBesideACommandsLeaseSaysWhichCommandHoldsItAndThatItEndsWithIt() throws Exception {
    Path other = Files.createDirectories(dir.resolve("other"));
    StoreLocation at = new StoreLocation.SqliteFile(other.resolve("bridge.db"));
    OlderRelease.schema(at, OlderRelease.newest() - 1);
    Instant expires = Instant.now().plus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS);
    OlderRelease.holdsTheLease(at, "4242@node-a/1a2b3c4d", "COMMAND", expires);
    OpsCliRun otherCli = new OpsCliRun(other, "fulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token() + "\n");

    OpsCliRun.Result r = otherCli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("an operator command (4242@node-a/1a2b3c4d) holds the writer lease")
        .endsWith(": it ends when that command ends (at " + expires + " if it was killed); run restore again after that;"
            + " nothing was changed");
  }

  @Test
  void restoreRefusesAFileThatIsNotADatabaseInOneClearLine() throws Exception {
    Path notes = Files.writeString(dir.resolve("notes.txt"), "not a database at all, but long enough to have a header".repeat(20));
    long before = Files.size(cli.database);

    OpsCliRun.Result r = cli.runWithConfig("restore", notes.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).doesNotContain("\n")
        .startsWith(notes.toAbsolutePath() + " is not a fulcrum-scim database (").endsWith("; nothing was changed");
    assertThat(Files.size(cli.database)).isEqualTo(before);
    assertThat(home.resolve("bridge.db.restoring")).doesNotExist();
  }

  private WorkItem awaitRow(String userId, WorkState state) {
    await().atMost(Duration.ofSeconds(30)).until(() -> row(userId) != null && row(userId).state() == state);
    return row(userId);
  }

  private WorkItem row(String userId) {
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      Optional<WorkItem> item = new WorkQueue(db, Clock.systemUTC()).get(ResourceKey.user(userId));
      return item.orElse(null);
    }
  }

  private void awaitSettled() {
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> DesiredVsActual.unsettled(db).isEmpty());
    }
  }
}
