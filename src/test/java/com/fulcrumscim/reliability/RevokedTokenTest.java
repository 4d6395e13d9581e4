package com.fulcrumscim.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.cli.StatusCommand;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.reconcile.Pause;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.DesiredVsActual;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Fulcrum revokes the bridge's API token: the reconciler pauses without spending any row's retry
 * budget, {@code status} and {@code /healthz} say why (while {@code /readyz} stays ready: intake
 * goes on), and once the operator configures the new
 * token and restarts, the backlog goes through.
 */
class RevokedTokenTest {
  static final String OLD_TOKEN = "fulcrum-token-before-rotation";
  static final String NEW_TOKEN = "fulcrum-token-after-rotation";

  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  FulcrumEmulator fulcrum;
  ScimTestServer bridge;

  /**
   * The daemon with {@code apiToken}, its calls unpaced: at the default budget they go 0.7 s apart,
   * and a restarted daemon would first wait out the schedule of the calls its trailing hour holds.
   */
  ScimTestServer bridgeWith(String apiToken) {
    return bridgeAt(fulcrum.baseUrl(), apiToken);
  }

  /** {@link #bridgeWith} aimed at {@code baseUrl}. */
  ScimTestServer bridgeAt(String baseUrl, String apiToken) {
    return ScimTestServer.start(dir, """
        fulcrum:
          base_url: %s
          api_token: %s
          calls_per_hour: 3600000
        reconcile:
          interval: 200ms
        """.formatted(baseUrl, apiToken), Clock.systemUTC(), Bridge.Mode.FULL);
  }

  @AfterEach
  void stop() {
    if (bridge != null) {
      bridge.close();
    }
    fulcrum.close();
  }

  /** {@code fulcrum-scim status --config FILE} against the daemon's database: exit code and text. */
  record Status(int exit, String text) {}

  Status status() throws Exception {
    Path config = dir.resolve("status.yml");
    Files.writeString(config, "storage:\n  path: " + bridge.database() + "\nfulcrum:\n  base_url: " + fulcrum.baseUrl()
        + "\n  api_token: unused\n");
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new StatusCommand());
    cli.setOut(new PrintWriter(out));
    int exit = cli.execute("--config", config.toString());
    return new Status(exit, out.toString());
  }

  /** /healthz, the gauge and status all say the daemon is paused, naming Fulcrum's {@code answer}; the ops endpoints. */
  ScimHttp pausedEverywhere(String answer) throws Exception {
    ScimHttp ops = new ScimHttp(bridge.rootUrl(), null);
    assertThat(ops.get("/healthz").text()).contains("paused").contains(answer);
    assertThat(ops.get("/metrics").text()).contains("fulcrum_scim_reconciler_paused 1.0");
    Status paused = status();
    assertThat(paused.exit()).as(paused.text()).isEqualTo(3);
    assertThat(paused.text()).contains("PAUSED").contains(answer);
    return ops;
  }

  @Test
  void aRevokedTokenPausesWithoutDeadRowsSaysWhyAndANewTokenResumes() throws Exception {
    fulcrum = FulcrumEmulator.builder().token(OLD_TOKEN).seed(Seed.load(Path.of("src/test/resources/reconcile/unmanaged-seed.json")))
        .build().start("127.0.0.1", 0);
    bridge = bridgeWith(OLD_TOKEN);
    ScimHttp http = bridge.http();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(http.post("/Users", Bodies.user("before" + i + "@corp.example")).json().path("id").asText());
    }
    try (Database db = Database.open(bridge.database())) {
      await().atMost(Duration.ofSeconds(20)).until(() -> fulcrum.memberByEmail("before2@corp.example").isPresent()
          && DesiredVsActual.unsettled(db).isEmpty());
    }

    fulcrum.replaceToken(NEW_TOKEN); // Fulcrum rotated it: the bridge's token now gets 401
    http.post("/Users", Bodies.user("during0@corp.example"));
    http.post("/Users", Bodies.user("during1@corp.example"));
    http.patch("/Users/" + ids.get(0), Bodies.patch("{\"op\":\"replace\",\"path\":\"active\",\"value\":false}"));
    ScimHttp ops = new ScimHttp(bridge.rootUrl(), null);
    await().atMost(Duration.ofSeconds(20)).until(() -> ops.get("/healthz").text().contains("paused"));
    assertThat(ops.get("/healthz").text()).contains("401");
    assertThat(ops.get("/readyz").status()).as("still accepting SCIM changes while paused").isEqualTo(200);
    Status paused = status();
    assertThat(paused.exit()).as(paused.text()).isEqualTo(3);
    assertThat(paused.text()).contains("PAUSED").contains("401");

    Thread.sleep(1_000); // several more cycles while paused: they probe, and spend nothing
    try (Database db = Database.open(bridge.database())) {
      List<WorkItem> rows = new WorkQueue(db, Clock.systemUTC()).list(null, 100);
      assertThat(rows).extracting(WorkItem::state).doesNotContain(WorkState.DEAD, WorkState.HELD);
      assertThat(rows).filteredOn(w -> w.state() != WorkState.DONE).hasSize(3)
          .allSatisfy(w -> assertThat(w.attempts()).as("retry budget spent on %s", w.key()).isZero());
    }
    assertThat(fulcrum.memberByEmail("during0@corp.example")).isEmpty();
    assertThat(fulcrum.memberByEmail("before0@corp.example")).as("the removal waits too").isPresent();

    bridge.close(); // the operator puts the new token in config.yml and restarts
    bridge = bridgeWith(NEW_TOKEN);
    await().atMost(Duration.ofSeconds(20)).until(() -> fulcrum.memberByEmail("during1@corp.example").isPresent()
        && fulcrum.memberByEmail("before0@corp.example").isEmpty());
    try (Database db = Database.open(bridge.database())) {
      await().atMost(Duration.ofSeconds(20)).until(() -> DesiredVsActual.unsettled(db).isEmpty());
      assertThat(DesiredVsActual.differences(db, fulcrum, Set.of("m-taken", "m-bystander", "g-crew"))).isEmpty();
    }
    assertThat(new ScimHttp(bridge.rootUrl(), null).get("/healthz").text()).contains("\"reconciler\":\"running\"");
    Status resumed = status();
    assertThat(resumed.exit()).as(resumed.text()).isZero();
    assertThat(resumed.text()).contains("running");
  }

  @Test
  void aStartOnATokenFulcrumRefusesIsPausedBeforeAnyChangeAndResumesOnceFulcrumAcceptsIt() throws Exception {
    // review-s8c F3: until a change needed Fulcrum, status, /healthz and the gauge said "running"
    fulcrum = FulcrumEmulator.builder().token(NEW_TOKEN).build().start("127.0.0.1", 0);
    bridge = bridgeWith(OLD_TOKEN);
    ScimHttp ops = pausedEverywhere("401");
    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m).startsWith("RECONCILER PAUSED: GET ").contains("401"));

    fulcrum.replaceToken(OLD_TOKEN); // the token works again (or the operator restarts with one that does)
    await().atMost(Duration.ofSeconds(20)).until(() -> ops.get("/healthz").text().contains("\"reconciler\":\"running\""));
    assertThat(ops.get("/metrics").text()).contains("fulcrum_scim_reconciler_paused 0.0");
  }

  /**
   * A token that works, whose user may not read what every change needs (not an Owner): paused at
   * start as the first change would pause it, saying what Fulcrum refuses and what to do, until
   * the read is allowed.
   */
  @Test
  void aStartOnATokenWhoseUserMayNotReadTheRolesIsPausedSayingWhatToDoUntilItMay() throws Exception {
    fulcrum = FulcrumEmulator.builder().token(OLD_TOKEN).build().start("127.0.0.1", 0);
    fulcrum.faults().forbidden(FulcrumClient.ROLES_LIST, true);
    bridge = bridgeWith(OLD_TOKEN);
    ScimHttp ops = pausedEverywhere("403");
    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m).startsWith("RECONCILER PAUSED: " + FulcrumClient.ROLES_LIST + ": 403 Forbidden")
            .contains("give it an Owner's role"));

    fulcrum.faults().forbidden(FulcrumClient.ROLES_LIST, false); // the token's user is made an Owner
    await().atMost(Duration.ofSeconds(20)).until(() -> ops.get("/healthz").text().contains("\"reconciler\":\"running\""));
    assertThat(ops.get("/metrics").text()).contains("fulcrum_scim_reconciler_paused 0.0");
  }

  /** review-s8f F1: the pause is shared, and the leader's token works; the standby says its own is refused. */
  @Test
  void aStandbyStartedOnARefusedTokenPausesNothingAndSaysSo() throws Exception {
    fulcrum = FulcrumEmulator.builder().token(NEW_TOKEN).build().start("127.0.0.1", 0);
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      long now = System.currentTimeMillis();
      db.write(c -> c.createStatement().executeUpdate("INSERT INTO writer_lease (name, holder, role, acquired_at, expires_at) "
          + "VALUES ('fulcrum', 'the other node', 'DAEMON', " + now + ", " + (now + 60_000) + ")"));
    }
    bridge = bridgeWith(OLD_TOKEN);

    assertThat(new ScimHttp(bridge.rootUrl(), null).get("/healthz").text()).contains("\"reconciler\":\"running\"");
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      assertThat(new SettingStore(db).get(Pause.KEY)).isEmpty();
    }
    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m).startsWith("this standby's Fulcrum API token is refused").contains("401"));
  }

  @Test
  void aStartWhileFulcrumIsUnreachableIsNotAPause() throws Exception {
    fulcrum = FulcrumEmulator.builder().token(OLD_TOKEN).build().start("127.0.0.1", 0);
    String unreachable = fulcrum.baseUrl();
    fulcrum.close(); // nothing listens there any more
    bridge = bridgeAt(unreachable, OLD_TOKEN);
    assertThat(new ScimHttp(bridge.rootUrl(), null).get("/healthz").text()).contains("\"reconciler\":\"running\"");
    assertThat(status().text()).doesNotContain("PAUSED");
  }
}
