package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.db.StoreLock;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI as an admin meets it on the host: no API token in the shell, a daemon of another release beside it. */
class OperatorCliTest {
  /** A variable no test machine sets: the Fulcrum API token the admin's shell does not have. */
  static final String UNSET = "FULCRUM_SCIM_TEST_TOKEN_NEVER_SET";
  static final String REAL_FULCRUM = "fulcrum:\n  base_url: https://fulcrum.example\n  api_token: ${" + UNSET + "}\n";

  @TempDir Path dir;

  @Test
  void readingCommandsRunWithoutTheFulcrumApiTokenInTheEnvironment() throws Exception {
    OpsCliRun cli = new OpsCliRun(dir, REAL_FULCRUM);
    StoreLock serve;
    try (Database db = cli.openDatabase()) {
      serve = StoreLock.take(db.location(), "serve");
      new WorkQueue(db, Clock.systemUTC()).enqueue(ResourceKey.user("u1"));
      // the daemon runs (it holds the file and the lease), with the token in its unit's environment: status has nothing to flag
      new WriterLease(db, DatabaseClock.of(db, Clock.systemUTC()), WriterLease.Role.DAEMON, Duration.ofMinutes(10)).tryHold();
    }
    try (serve) {
      for (String[] command : List.of(new String[] {"status"}, new String[] {"audit"}, new String[] {"journal", "list"},
          new String[] {"journal", "show", "user/u1"})) {
        OpsCliRun.Result r = cli.runWithConfig(command);
        assertThat(r.exit()).as(String.join(" ", command) + ": " + r.err()).isZero();
        assertThat(r.err()).doesNotContain(UNSET);
      }
    }
  }

  @Test
  void checkStillNeedsTheApiTokenAndNamesTheVariable() throws Exception {
    OpsCliRun.Result r = new OpsCliRun(dir, REAL_FULCRUM).runWithConfig("check");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).contains("fulcrum.api_token").contains(UNSET).doesNotContain("\n");
  }

  @Test
  void readingCommandsAndCheckNeverCreateAMissingDatabase() throws Exception {
    OpsCliRun cli = new OpsCliRun(dir);
    for (String[] command : List.of(new String[] {"status"}, new String[] {"audit"}, new String[] {"journal", "list"},
        new String[] {"journal", "show", "user/u1"}, new String[] {"backup", dir.resolve("copy.db").toString()})) {
      OpsCliRun.Result r = cli.runWithConfig(command);
      assertThat(r.exit()).as(String.join(" ", command)).isEqualTo(1);
      assertThat(r.err()).contains("no database at " + cli.database);
    }
    OpsCliRun.Result check = cli.runWithConfig("check");
    assertThat(check.exit()).isZero();
    assertThat(check.out()).contains("not created yet");
    assertThat(cli.database).doesNotExist();
  }

  /** They lock the file for their run, but a mistyped storage.path gets no lock file, nor its directory. */
  @Test
  void dbCopyAndMarkRestoredLeaveNothingBehindAtAPathWithNoDatabase() throws Exception {
    Path nowhere = dir.resolve("typo/bridge.db");
    OpsCliRun cli = new OpsCliRun(dir);
    Files.writeString(cli.config, "storage:\n  path: " + nowhere + "\n");
    for (String[] command : List.of(new String[] {"db", "copy", "--to", "jdbc:postgresql://127.0.0.1:9/nowhere"},
        new String[] {"db", "mark-restored"})) {
      OpsCliRun.Result r = cli.runWithConfig(command);
      assertThat(r.exit()).as(String.join(" ", command)).isEqualTo(1);
      assertThat(r.err()).startsWith("no database at " + nowhere);
    }
    assertThat(nowhere.getParent()).doesNotExist();
  }

  @Test
  void readingCommandsDoNotMigrateAnOlderDatabaseButSayHow() throws Exception {
    OpsCliRun cli = new OpsCliRun(dir);
    List<String> migrations = migrations();
    olderRelease(cli.database, migrations.subList(0, migrations.size() - 1));
    int older = userVersion(cli.database);
    for (String[] command : List.of(new String[] {"status"}, new String[] {"journal", "list"}, new String[] {"check"})) {
      OpsCliRun.Result r = cli.runWithConfig(command);
      assertThat(r.exit()).as(String.join(" ", command)).isEqualTo(1);
      assertThat(r.err()).contains("fulcrum-scim db migrate");
    }
    assertThat(userVersion(cli.database)).isEqualTo(older);
  }

  @Test
  void dbMigrateCreatesANewDatabase() throws Exception {
    OpsCliRun cli = new OpsCliRun(dir);
    OpsCliRun.Result created = cli.runWithConfig("db", "migrate");
    assertThat(created.exit()).isZero();
    assertThat(created.out()).contains("schema version 0 -> " + userVersion(cli.database) + " (created)");
    assertThat(cli.runWithConfig("db", "migrate").out()).contains("already current");
  }

  @Test
  void dbMigrateBringsAnOlderReleasesDatabaseToThisSchema() throws Exception {
    OpsCliRun cli = new OpsCliRun(dir);
    List<String> migrations = migrations();
    olderRelease(cli.database, migrations.subList(0, migrations.size() - 1));
    assertThat(cli.runWithConfig("status").exit()).isEqualTo(1);
    OpsCliRun.Result r = cli.runWithConfig("db", "migrate");
    assertThat(r.out()).contains((migrations.size() - 1) + " -> " + migrations.size() + " (migrated)");
    assertThat(cli.runWithConfig("status").exit()).isZero();
  }

  @Test
  void aDatabaseNewerThanThisReleaseIsRefusedWithExitTwoByEveryCommand() throws Exception {
    OpsCliRun cli = new OpsCliRun(dir);
    cli.openDatabase().close();
    setUserVersion(cli.database, 999);
    for (String[] command : List.of(new String[] {"status"}, new String[] {"audit"}, new String[] {"check"},
        new String[] {"db", "migrate"}, new String[] {"journal", "retry", "--all-dead"}, new String[] {"serve"})) {
      OpsCliRun.Result r = cli.runWithConfig(command);
      assertThat(r.exit()).as(String.join(" ", command) + ": " + r.err()).isEqualTo(2);
      assertThat(r.err()).contains("schema version 999 is newer than this fulcrum-scim");
    }
    assertThat(userVersion(cli.database)).isEqualTo(999);
  }

  @Test
  void aTlsFileServeCannotLoadFailsCheckAndServeAlikeWithExitTwoAndOneLine() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate\n");
    OpsCliRun cli = new OpsCliRun(dir, "server:\n  port: " + com.fulcrumscim.testing.BridgeProcess.freePort() + "\n  tls:\n    certificate: " + cert
        + "\n    private_key: " + dir.resolve("key.pem") + "\n");
    OpsCliRun.Result check = cli.runWithConfig("check");
    OpsCliRun.Result serve = cli.runWithConfig("serve");
    assertThat(check.exit()).isEqualTo(2);
    assertThat(serve.exit()).isEqualTo(2);
    assertThat(check.err().strip()).contains("server.tls.certificate").contains(cert.toString()).doesNotContain("\n");
    assertThat(serve.err().strip()).isEqualTo(check.err().strip());
  }

  @Test
  void everyCommandAndSubcommandAnswersHelp() {
    List<String[]> paths = new ArrayList<>();
    collect(new CommandLine(Main.class), new ArrayList<>(), paths);
    assertThat(paths).hasSizeGreaterThan(15);
    for (String[] path : paths) {
      String[] args = java.util.Arrays.copyOf(path, path.length + 1);
      args[path.length] = "--help";
      OpsCliRun.Result r = run(args);
      assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isZero();
      assertThat(r.out()).as(String.join(" ", args)).contains("Usage: fulcrum-scim");
    }
  }

  @Test
  void versionNamesTheReleaseAndTheCommitOfTheBuild() {
    OpsCliRun.Result r = run("--version");
    assertThat(r.exit()).isZero();
    assertThat(r.out().strip()).matches("fulcrum-scim \\d+\\.\\d+\\.\\d+\\S* \\(commit [0-9a-f]{7,}\\)");
    assertThat(run("journal", "list", "--version").out()).isEqualTo(r.out());
  }

  @Test
  void auditJsonIsAnArrayOfEntriesWithKeysAsOperatorsTypeThem() throws Exception {
    OpsCliRun cli = new OpsCliRun(dir);
    try (Database db = cli.openDatabase()) {
      OpsCliRun.audit(db, Instant.parse("2026-03-01T10:00:00Z"), "USER", "u1", "CREATE_MEMBER", "ok", "email");
    }
    JsonNode entries = new ObjectMapper().readTree(cli.runWithConfig("audit", "--json").out());
    assertThat(entries.isArray()).isTrue();
    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).get("key").asText()).isEqualTo("user/u1");
    assertThat(entries.get(0).get("at").asText()).isEqualTo("2026-03-01T10:00:00Z");
    assertThat(entries.get(0).get("result").asText()).isEqualTo("ok");
  }

  @Test
  void journalListJsonIsAnArrayOfRows() throws Exception {
    OpsCliRun cli = new OpsCliRun(dir);
    try (Database db = cli.openDatabase()) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      queue.enqueue(ResourceKey.user("u1"));
      queue.enqueue(ResourceKey.group("g1"));
    }
    JsonNode rows = new ObjectMapper().readTree(cli.runWithConfig("journal", "list", "--json").out());
    assertThat(rows).hasSize(2);
    assertThat(rows.findValuesAsText("key")).containsExactlyInAnyOrder("user/u1", "group/g1");
    assertThat(rows.findValuesAsText("state")).containsOnly("pending");
    assertThat(new ObjectMapper().readTree(cli.runWithConfig("journal", "list", "--json", "--state", "dead").out()))
        .isEmpty();
  }

  private static void collect(CommandLine command, List<String> prefix, List<String[]> out) {
    out.add(prefix.toArray(new String[0]));
    command.getSubcommands().forEach((name, sub) -> {
      if (!name.equals("help") && sub.getCommandSpec().name().equals(name)) {
        List<String> next = new ArrayList<>(prefix);
        next.add(name);
        collect(sub, next, out);
      }
    });
  }

  private OpsCliRun.Result run(String... args) {
    try {
      return new OpsCliRun(dir).run(args);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static List<String> migrations() throws Exception {
    return new String(OperatorCliTest.class.getClassLoader().getResourceAsStream("db/migrations.txt").readAllBytes())
        .lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  /** The database an older release left behind: only its migrations applied. */
  static void olderRelease(Path db, List<String> applied) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
      for (String file : applied) {
        String script = new String(OperatorCliTest.class.getClassLoader().getResourceAsStream("db/" + file).readAllBytes());
        for (String sql : script.split(";\\s*\\n")) {
          if (!sql.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("--"))) {
            s.executeUpdate(sql);
          }
        }
      }
      s.execute("PRAGMA user_version = " + applied.size());
    }
  }

  static int userVersion(Path db) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      return rs.getInt(1);
    }
  }

  static void setUserVersion(Path db, int version) throws Exception {
    assertThat(Files.exists(db)).isTrue();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = " + version);
    }
  }

  /**
   * A serve killed outright leaves its lease until it expires, and db copy holds the file's lock, so no
   * serve runs: "stop it first" sent the operator to stop what was not running. Only an older release's
   * daemon, which takes no lock, may run beside it.
   */
  @Test
  void dbCopyAfterAKilledServeSaysTheLeaseIsAStoppedServesAndWhenItEnds() throws Exception {
    assertThat(refusalBesideALeaseOf(WriterLease.Role.DAEMON, "db", "copy", "--to", "jdbc:postgresql://127.0.0.1:9/nowhere"))
        .startsWith("the writer lease on " + dir.resolve("bridge.db") + " is a daemon's (")
        .contains("), yet no serve has the file (db copy holds its lock): a serve killed outright, or whose machine"
            + " restarted, left it, and it ends at ")
        .contains("; run db copy again after that, with serve still stopped. Only a daemon of a release before"
            + " 6 December 2026, which takes no lock, or one before 8 December 2026 on a symbolic storage.path, which"
            + " locks a file beside the link, would run on the file now: stop that one first (systemctl stop fulcrum-scim)");
  }

  /** A command's lease (check --write-test holds one without the file's lock) ends with it: the service is not to be stopped. */
  @Test
  void dbCopyBesideACommandsLeaseSaysItEndsWithThatCommandNotStopTheService() throws Exception {
    assertThat(refusalBesideALeaseOf(WriterLease.Role.COMMAND, "db", "copy", "--to", "jdbc:postgresql://127.0.0.1:9/nowhere"))
        .contains("an operator command (").contains(": it ends when that command ends (at ")
        .contains(" if it was killed); run db copy again after that").doesNotContain("stop it first");
  }

  /** {@code command}'s refusal (exit 1) beside a live writer lease of {@code role} left in the database; answers its stderr. */
  private String refusalBesideALeaseOf(WriterLease.Role role, String... command) throws Exception {
    OpsCliRun cli = new OpsCliRun(dir);
    try (Database db = cli.openDatabase()) {
      assertThat(new WriterLease(db, Clock.systemUTC(), role).tryHold()).isTrue();
    }
    OpsCliRun.Result r = cli.runWithConfig(command);

    assertThat(r.exit()).isEqualTo(1);
    return r.err();
  }
}
