package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} has the SQLite file from before it opens it until it exits, and the commands that
 * replace or rewrite the file wholesale refuse meanwhile, though the daemon takes its writer lease
 * only at the end of its start: its start-up check of Fulcrum may take the whole read timeout. A
 * restore in that gap swapped the file under the daemon, which then acknowledged SCIM changes into
 * the replaced one (review H1).
 */
class ServeHoldsTheFileTest {
  static final String OWNER = "{\"user\":{\"id\":\"usr-1\",\"email\":\"owner@example.com\",\"first_name\":\"Olive\",\"last_name\":\"Owner\"}}";

  @TempDir Path dir;
  final MockWebServer fulcrum = new MockWebServer();
  /** Counted down when serve's start-up check first reaches Fulcrum: the file is open, no lease is taken yet. */
  final CountDownLatch checking = new CountDownLatch(1);
  /** Fulcrum answers nothing until this is counted down. */
  final CountDownLatch answer = new CountDownLatch(1);
  Path home;
  OpsCliRun cli;
  Path backup;
  CompletableFuture<ScimTestServer> starting;

  @BeforeEach
  void aFulcrumThatDoesNotAnswerYet() throws Exception {
    fulcrum.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        checking.countDown();
        answer.await(60, TimeUnit.SECONDS);
        return request.getUrl().encodedPath().endsWith("/users.json")
            ? new MockResponse(200, Headers.of("Content-Type", "application/json"), OWNER)
            : new MockResponse(404, Headers.of("Content-Type", "application/json"), "{\"error\":\"not here\"}");
      }
    });
    fulcrum.start();
    home = Files.createDirectories(dir.resolve("live"));
    cli = new OpsCliRun(home, fulcrumYaml());
    backup = dir.resolve("nightly.db");
    Database.open(backup).close();
  }

  @AfterEach
  void stop() throws Exception {
    answer.countDown();
    if (starting != null) {
      starting.get(60, TimeUnit.SECONDS).close();
    }
    fulcrum.close();
  }

  String fulcrumYaml() {
    return "fulcrum:\n  base_url: " + fulcrum.url("/") + "\n  api_token: tok-LOCK-test\n  calls_per_hour: 3600000\n";
  }

  /** serve in this JVM, held in its start-up check of Fulcrum: it has opened (and migrated) the file, and holds no lease. */
  void serveIsStarting() throws Exception {
    starting = CompletableFuture.supplyAsync(() -> ScimTestServer.start(home, fulcrumYaml(), Clock.systemUTC(), Bridge.Mode.FULL));
    assertThat(checking.await(60, TimeUnit.SECONDS)).as("serve reached its start-up check").isTrue();
  }

  int count(String sql) {
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      return db.read(c -> {
        try (var s = c.createStatement(); var rs = s.executeQuery(sql)) {
          return rs.next() ? rs.getInt(1) : -1;
        }
      });
    }
  }

  /** The command's own line: serve, in this JVM, logs to the same stderr. */
  static String refusal(OpsCliRun.Result r) {
    return r.err().strip().lines().filter(line -> !line.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*")).reduce((a, b) -> b).orElse("");
  }

  @Test
  void restoreIsRefusedWhileServeIsStartingAndWhatServeThenAcknowledgesIsInTheFile() throws Exception {
    serveIsStarting();

    OpsCliRun.Result r = cli.runWithConfig("restore", backup.toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(refusal(r)).startsWith(cli.database + " is in use by serve (" + ProcessHandle.current().pid() + "@")
        .endsWith("): stop it first (systemctl stop fulcrum-scim); nothing was changed");
    try (var files = Files.list(home)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.contains(".replaced-") || n.endsWith(".restoring"));
    }
    answer.countDown();
    ScimTestServer serve = starting.get(60, TimeUnit.SECONDS);
    assertThat(serve.http().post("/Users", Bodies.user("kept@corp.example")).status()).isEqualTo(201);
    serve.close();
    assertThat(count("SELECT count(*) FROM scim_user WHERE user_name = 'kept@corp.example'"))
        .as("the acknowledged user, in the file at storage.path").isEqualTo(1);
  }

  @Test
  void dbCopyIsRefusedWhileServeIsStarting() throws Exception {
    serveIsStarting();

    OpsCliRun.Result r = cli.runWithConfig("db", "copy", "--to", "jdbc:postgresql://127.0.0.1:9/nowhere");

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(refusal(r)).startsWith(cli.database + " is in use by serve (")
        .endsWith("): stop it first (systemctl stop fulcrum-scim); nothing was changed");
  }

  @Test
  void dbMarkRestoredIsRefusedWhileServeIsStarting() throws Exception {
    serveIsStarting();

    OpsCliRun.Result r = cli.runWithConfig("db", "mark-restored");

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(refusal(r)).startsWith(cli.database + " is in use by serve (").endsWith("; nothing was changed");
    assertThat(count("SELECT count(*) FROM setting WHERE key LIKE 'restore.%'")).as("no restore recorded").isZero();
  }

  @Test
  void dbMigrateIsRefusedWithExitTwoWhileServeRuns() throws Exception {
    answer.countDown();
    serveIsStarting();
    starting.get(60, TimeUnit.SECONDS);

    OpsCliRun.Result r = cli.runWithConfig("db", "migrate");

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(refusal(r)).startsWith(cli.database + " is in use by serve (").endsWith("; nothing was changed");
  }

  @Test
  void commandsThatReadOrGoThroughTheDaemonStillRunBesideServe() throws Exception {
    answer.countDown();
    serveIsStarting();
    starting.get(60, TimeUnit.SECONDS);

    for (List<String> command : List.of(List.of("status"), List.of("audit"), List.of("journal", "list"),
        List.of("backup", dir.resolve("beside.db").toString()))) {
      OpsCliRun.Result r = cli.runWithConfig(command.toArray(String[]::new));
      assertThat(r.exit()).as(command + ": " + r.err()).isZero();
    }
  }

  /** Two daemons on one SQLite file: the second used to start as a standby; one file has one daemon. */
  @Test
  void aSecondServeOnTheSameFileIsRefusedAtOnceNamingTheFirst() throws Exception {
    answer.countDown();
    Path config = BridgeProcess.writeConfig(home, fulcrum.url("/").toString(), "tok-LOCK-test", "");
    Path other = Files.writeString(dir.resolve("other.yml"), Files.readString(config)
        .replaceFirst("port: \\d+", "port: " + BridgeProcess.freePort()));
    try (BridgeProcess first = BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", ScimTestServer.TOKEN))) {
      first.endpoint();
      BridgeProcess second = BridgeProcess.command(Map.of("FULCRUM_SCIM_TOKEN", ScimTestServer.TOKEN), "serve", "--config",
          other.toString());

      boolean exited = second.process().waitFor(60, TimeUnit.SECONDS);
      second.terminate();

      assertThat(exited).as("the second serve exits by itself").isTrue();
      assertThat(second.process().exitValue()).isEqualTo(1);
      assertThat(second.output()).last().asString().startsWith("cannot start: " + cli.database + " is in use by serve ("
          + first.process().pid() + "@").endsWith("): stop it first (systemctl stop fulcrum-scim)");
    }
  }

  /**
   * The operating system ends the lock with its process: a daemon killed during its start leaves the
   * lock file behind, and it means nothing; one stopped cleanly lets a restore run at once too.
   */
  @Test
  void theLockEndsWithServeKilledOrStoppedAndRestoreThenRuns() throws Exception {
    Path config = BridgeProcess.writeConfig(home, fulcrum.url("/").toString(), "tok-LOCK-test", "ha:\n  lease_ttl: 3s\n");
    BridgeProcess killed = BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", ScimTestServer.TOKEN));
    assertThat(checking.await(60, TimeUnit.SECONDS)).isTrue();
    BridgeProcess.CommandRun refused = BridgeProcess.command(config, "restore", backup.toString());
    killed.kill();
    // the writer lease, held from the moment its database was open, outlives it until it expires, as any killed daemon's
    try (Database db = Database.openExisting(cli.database, Database.Access.READ_ONLY)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> new WriterLease(db, Clock.systemUTC(), WriterLease.Role.COMMAND)
          .current().isEmpty());
    }
    BridgeProcess.CommandRun afterKill = BridgeProcess.command(config, "restore", backup.toString());

    assertThat(refused.exit()).as(refused.err()).isEqualTo(1);
    assertThat(refused.err().strip()).startsWith(cli.database + " is in use by serve (" + killed.process().pid() + "@");
    assertThat(home.resolve("bridge.db.lock")).as("left behind by the killed daemon").exists();
    assertThat(afterKill.exit()).as(afterKill.err()).isZero();

    answer.countDown();
    try (BridgeProcess stopped = BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", ScimTestServer.TOKEN))) {
      stopped.endpoint();
      assertThat(stopped.terminate()).isZero();
    }
    BridgeProcess.CommandRun afterStop = BridgeProcess.command(config, "restore", backup.toString());
    assertThat(afterStop.exit()).as(afterStop.err()).isZero();
  }
}
