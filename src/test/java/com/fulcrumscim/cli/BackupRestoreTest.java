package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.OlderRelease;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.testing.DesiredVsActual;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code backup FILE} beside a running daemon, and the restore procedure the README describes. */
class BackupRestoreTest {
  @TempDir Path dir;
  FulcrumEmulator fulcrum;
  ScimTestServer bridge;

  @BeforeEach
  void startFulcrum() {
    fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    if (bridge != null) {
      bridge.close();
    }
    fulcrum.close();
  }

  /**
   * The daemon on {@code home}'s database. Unpaced (a call every 0.7 s at the default budget), and
   * with the shortest lease: a restored copy holds the lease row of the daemon that was backed up,
   * which the restored daemon waits out (3 s here, not the default 15).
   */
  ScimTestServer serve(Path home) throws Exception {
    return serve(fulcrum, home);
  }

  /** The daemon on {@code home}'s database, reconciling into {@code fulcrum} every 200 ms. */
  static ScimTestServer serve(FulcrumEmulator fulcrum, Path home) throws Exception {
    return serve(fulcrum, home, "");
  }

  /** As {@link #serve(FulcrumEmulator, Path)}, with {@code more} config after it. */
  static ScimTestServer serve(FulcrumEmulator fulcrum, Path home, String more) throws Exception {
    Files.createDirectories(home);
    return ScimTestServer.start(home, ScimTestServer.fulcrumAt(fulcrum.baseUrl(), fulcrum.token())
        + "ha:\n  lease_ttl: 3s\n" + more, Clock.systemUTC(), Bridge.Mode.FULL);
  }

  OpsCliRun.Result backup(Path database, Path target) throws Exception {
    Path config = Files.writeString(dir.resolve("backup.yml"), "storage:\n  path: " + database + "\n");
    return new OpsCliRun(Files.createDirectories(dir.resolve("cli"))).run("backup", target.toString(), "--config", config.toString());
  }

  @Test
  void aBackupTakenWhileSCIMWritesArriveIsConsistentAndPrivate() throws Exception {
    bridge = serve(dir.resolve("live"));
    ScimHttp okta = bridge.http();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger accepted = new AtomicInteger();
    Thread writer = new Thread(() -> {
      for (int i = 0; writing.get(); i++) {
        if (okta.post("/Users", Bodies.user("w" + i + "@corp.example")).status() == 201) {
          accepted.incrementAndGet();
        }
      }
    });
    writer.start();
    await().until(() -> accepted.get() >= 5);
    Path copy = dir.resolve("backups/bridge-copy.db");
    Files.createDirectories(copy.getParent());
    OpsCliRun.Result r = backup(bridge.database(), copy);
    writing.set(false);
    writer.join();

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy))).isEqualTo("rw-------");
    try (Database restored = Database.openExisting(copy, Database.Access.READ_ONLY)) {
      restored.read(c -> {
        try (Statement s = c.createStatement()) {
          try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            assertThat(rs.getString(1)).isEqualTo("ok");
          }
          // one transaction stores a user, its journal row and its work row: a consistent copy has all or none
          try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM scim_user), "
              + "(SELECT count(*) FROM work WHERE entity_type = 'USER'), (SELECT count(DISTINCT entity_id) FROM journal)")) {
            assertThat(rs.getLong(1)).isGreaterThanOrEqualTo(5).isEqualTo(rs.getLong(2)).isEqualTo(rs.getLong(3));
          }
        }
        return null;
      });
    }
  }

  @Test
  void aBackupNeverOverwritesAnExistingFile() throws Exception {
    bridge = serve(dir.resolve("live"));
    Path existing = Files.writeString(dir.resolve("precious.db"), "keep me");
    OpsCliRun.Result r = backup(bridge.database(), existing);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("already exists");
    assertThat(Files.readString(existing)).isEqualTo("keep me");
  }

  @Test
  void aBackupIntoAnEmptyFileMadeBeforehandIsRefusedSoTheCopyNeverKeepsItsMode() throws Exception {
    // a cron script that mktemps or touches the name first: VACUUM INTO filled it, readable by all
    bridge = serve(dir.resolve("live"));
    Path empty = Files.createFile(dir.resolve("pre.db"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
    Path link = Files.createSymbolicLink(dir.resolve("link.db"), Files.createFile(dir.resolve("elsewhere.db")));

    for (Path target : List.of(empty, link)) {
      OpsCliRun.Result r = backup(bridge.database(), target);
      assertThat(r.exit()).as(target.toString()).isEqualTo(1);
      assertThat(r.err()).contains(target.toAbsolutePath() + " already exists");
    }
    assertThat(empty).isEmptyFile();
    assertThat(dir.resolve("elsewhere.db")).isEmptyFile();
  }

  /** A typo'd directory (or a mount point not mounted) is refused, not made with root's umask. */
  @Test
  void aBackupIntoADirectoryThatDoesNotExistIsRefusedInOneLineNamingItAndMakesNone() throws Exception {
    Path database = dir.resolve("bridge.db");
    Database.open(database).close();
    Path missing = dir.resolve("no-such-dir");

    OpsCliRun.Result r = backup(database, missing.resolve("x.db"));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("cannot create " + missing.resolve("x.db") + ": directory " + missing
        + " does not exist (backup makes no directories)");
    assertThat(missing).doesNotExist();
  }

  @Test
  void aBackupWhereItsUserMayNotCreateTheFileSaysPermissionDeniedAndHowToMakeTheDirectory() throws Exception {
    assumeFalse("root".equals(System.getProperty("user.name")), "root writes in any directory");
    bridge = serve(dir.resolve("live"));
    Path readOnly = Files.createDirectory(dir.resolve("ro"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-xr-xr-x")));

    OpsCliRun.Result inSub = backup(bridge.database(), readOnly.resolve("sub/today.db"));
    OpsCliRun.Result inDir = backup(bridge.database(), readOnly.resolve("today.db"));

    assertThat(inSub.exit()).isEqualTo(1);
    assertThat(inSub.err()).contains("directory " + readOnly.resolve("sub") + " does not exist");
    assertThat(inDir.exit()).isEqualTo(1);
    assertThat(inDir.err()).contains("permission denied on " + readOnly.resolve("today.db"));
  }

  @Test
  void backupRunsWhenAVariableOutsideStorageIsUnsetInThisShell() throws Exception {
    // cron runs backup without the unit's environment file
    bridge = serve(dir.resolve("live"));
    Path config = Files.writeString(dir.resolve("cron.yml"), "storage:\n  path: " + bridge.database() + "\n"
        + StatusCommandTest.KEYS_FROM_THE_UNITS_ENVIRONMENT);
    Path copy = dir.resolve("nightly.db");
    OpsCliRun.Result r = new OpsCliRun(Files.createDirectories(dir.resolve("cli")))
        .run("backup", copy.toString(), "--config", config.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(copy).isNotEmptyFile();
  }

  /**
   * "Back up the database first" before an upgrade: the file is still of the release before, or of
   * the 4 December one (schema 4), whose own backup fails on the package's config (review-s12b F2).
   */
  @ParameterizedTest
  @MethodSource("olderSchemas")
  void aDatabaseOfAnOlderSchemaIsBackedUpAsItIsAndTheAnswerSaysItsVersion(int older) throws Exception {
    Path old = Files.createDirectories(dir.resolve("old")).resolve("bridge.db");
    OlderRelease.schema(new StoreLocation.SqliteFile(old), older);
    Path copy = Files.createDirectories(dir.resolve("backups")).resolve("before-upgrade.db");

    OpsCliRun.Result r = backup(old, copy);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip()).isEqualTo("backed up " + old + " to " + copy + " (schema version " + older
        + "; this release's is " + OlderRelease.newest() + ")");
    assertThat(OlderRelease.version(new StoreLocation.SqliteFile(copy))).isEqualTo(older);
    assertThat(OlderRelease.version(new StoreLocation.SqliteFile(old))).as("not migrated").isEqualTo(older);
    try (Stream<Path> files = Files.list(copy.getParent())) {
      assertThat(files).as("the copy alone, no -wal or -shm beside it").containsExactly(copy);
    }
  }

  static Stream<Integer> olderSchemas() throws Exception {
    return Stream.of(4, OlderRelease.newest() - 1);
  }

  /** After a rollback the old release backs up what a newer one wrote. */
  @Test
  void aDatabaseANewerReleaseWroteIsBackedUpToo() throws Exception {
    Path newer = Files.createDirectories(dir.resolve("newer")).resolve("bridge.db");
    Database.open(newer).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + newer); Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = " + (OlderRelease.newest() + 1));
    }
    Path copy = dir.resolve("after-rollback.db");

    OpsCliRun.Result r = backup(newer, copy);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("(schema version " + (OlderRelease.newest() + 1) + "; this release's is " + OlderRelease.newest() + ")");
    assertThat(OlderRelease.version(new StoreLocation.SqliteFile(copy))).isEqualTo(OlderRelease.newest() + 1);
  }

  @Test
  void aFileThatIsNotABridgeDatabaseIsNotBackedUp() throws Exception {
    Path other = dir.resolve("other.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE notes (body TEXT)");
    }
    Path copy = dir.resolve("copy.db");

    OpsCliRun.Result r = backup(other, copy);

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo(other + " is not a fulcrum-scim database (an SQLite file without the bridge's tables)"
        + "; nothing was changed");
    assertThat(copy).doesNotExist();
  }

  @Test
  void aRestoredCopyServesAndReconcilesWithoutDuplicatingAnyone() throws Exception {
    bridge = serve(dir.resolve("live"));
    ScimHttp okta = bridge.http();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(okta.post("/Users", Bodies.user("r" + i + "@corp.example")).json().path("id").asText());
    }
    String crew = okta.post("/Groups", Bodies.group("Crew", ids.get(0), ids.get(1))).json().path("id").asText();
    awaitSettled(bridge.database());
    Path copy = dir.resolve("nightly.db");
    assertThat(backup(bridge.database(), copy).exit()).isZero();
    bridge.close();
    bridge = null;

    // the README's restore: stop, copy the backup to storage.path (no -wal/-shm beside it), start
    Path restoredHome = Files.createDirectories(dir.resolve("restored"));
    Files.copy(copy, restoredHome.resolve("bridge.db"));
    bridge = serve(restoredHome);
    okta = bridge.http();
    assertThat(okta.get("/Users/" + ids.get(2)).status()).isEqualTo(200);
    okta.patch("/Users/" + ids.get(2), """
        {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
         "Operations":[{"op":"replace","path":"name.givenName","value":"Restored"}]}""");
    okta.patch("/Groups/" + crew, """
        {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
         "Operations":[{"op":"add","path":"members","value":[{"value":"%s"}]}]}""".formatted(ids.get(2)));
    okta.post("/Users", Bodies.user("after-restore@corp.example"));
    awaitSettled(bridge.database());

    assertThat(fulcrum.memberByEmail("r2@corp.example")).hasValueSatisfying(m -> assertThat(m.firstName()).isEqualTo("Restored"));
    assertThat(fulcrum.members()).filteredOn(m -> m.email().endsWith("@corp.example")).hasSize(4);
    assertThat(fulcrum.groups()).filteredOn(g -> g.name().equals("Crew")).hasSize(1);
    try (Database db = Database.openExisting(bridge.database(), Database.Access.READ_ONLY)) {
      assertThat(DesiredVsActual.differences(db, fulcrum, Set.of())).isEmpty();
    }
  }

  @Test
  void theReadmesRestoreStepDeactivatesSomeoneRemovedAfterTheBackupWithoutInvitingThemAgain() throws Exception {
    bridge = serve(dir.resolve("live"));
    ScimHttp okta = bridge.http();
    String stays = okta.post("/Users", Bodies.user("stays@corp.example")).json().path("id").asText();
    String leaver = okta.post("/Users", Bodies.user("leaver@corp.example")).json().path("id").asText();
    awaitSettled(bridge.database());
    Path copy = dir.resolve("nightly.db");
    assertThat(backup(bridge.database(), copy).exit()).isZero();
    okta.patch("/Users/" + leaver, DEACTIVATE);
    awaitSettled(bridge.database());
    assertThat(fulcrum.memberByEmail("leaver@corp.example")).isEmpty();
    bridge.close();
    bridge = null;

    Path restoredHome = Files.createDirectories(dir.resolve("restored"));
    Files.copy(copy, restoredHome.resolve("bridge.db"));
    bridge = serve(restoredHome);
    okta = bridge.http();
    // what step 4 warns of: active and linked again, with no member behind the link
    assertThat(okta.get("/Users/" + leaver).json().path("active").asBoolean()).isTrue();
    // the deactivation Okta does not send again, as the README writes it
    assertThat(okta.patch("/Users/" + leaver, DEACTIVATE).status()).isEqualTo(200);
    awaitSettled(bridge.database());

    assertThat(fulcrum.memberByEmail("leaver@corp.example")).isEmpty();
    assertThat(fulcrum.memberByEmail("stays@corp.example")).isPresent();
    assertThat(okta.get("/Users/" + stays).status()).isEqualTo(200);
    try (Database db = Database.openExisting(bridge.database(), Database.Access.READ_ONLY)) {
      assertThat(DesiredVsActual.differences(db, fulcrum, Set.of())).isEmpty();
    }
  }

  static final String DEACTIVATE = """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations":[{"op":"replace","path":"active","value":false}]}""";

  private void awaitSettled(Path database) {
    try (Database db = Database.openExisting(database, Database.Access.READ_ONLY)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> DesiredVsActual.unsettled(db).isEmpty());
    }
  }
}
