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
    return bridgeAt(baseUrl, apiToken, "");
  }

  /** {@link #bridgeAt} with {@code moreConfig} (whole top-level sections of config.yml) added. */
  ScimTestServer bridgeAt(String baseUrl, String apiToken, String moreConfig) {
    return ScimTestServer.start(dir, ScimTestServer.fulcrumAt(baseUrl, apiToken) + moreConfig, Clock.systemUTC(),
        Bridge.Mode.FULL);
  }

  /** The ERROR lines logged so far. */
  List<String> errors() {
    return logs.events().stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage).toList();
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

  /** review-s12b F5: one SQLite file takes one serve, so the pause names no node whose token to fix. */
  @Test
  void aPauseOnOneSqliteFileNamesNoNode() throws Exception {
    fulcrum = FulcrumEmulator.builder().token(NEW_TOKEN).build().start("127.0.0.1", 0);
    bridge = bridgeWith(OLD_TOKEN);

    assertThat(pausedEverywhere("401").get("/healthz").text()).doesNotContain("on the node");
  }

  /**
   * A start on a token that works, whose user Fulcrum refuses {@code read} (403: not an Owner):
   * paused everywhere at once, its ERROR line naming the read and saying what to do ({@code said});
   * running again once the read is allowed (the token's user is made an Owner), no restart.
   */
  void pausedAtStartUntilAllowed(String read, String... said) throws Exception {
    fulcrum = FulcrumEmulator.builder().token(OLD_TOKEN).build().start("127.0.0.1", 0);
    fulcrum.faults().forbidden(read, true);
    bridge = bridgeWith(OLD_TOKEN);
    ScimHttp ops = pausedEverywhere("403");
    assertThat(errors()).anySatisfy(m -> assertThat(m).startsWith("RECONCILER PAUSED: " + read + ": 403 Forbidden").contains(said));

    fulcrum.faults().forbidden(read, false);
    await().atMost(Duration.ofSeconds(20)).until(() -> ops.get("/healthz").text().contains("\"reconciler\":\"running\""));
    assertThat(ops.get("/metrics").text()).contains("fulcrum_scim_reconciler_paused 0.0");
  }

  @Test
  void aStartOnATokenWhoseUserMayNotReadTheRolesIsPausedSayingWhatToDoUntilItMay() throws Exception {
    pausedAtStartUntilAllowed(FulcrumClient.ROLES_LIST, "give the user who created the API token the Owner role in Fulcrum");
  }

  /**
   * Every change reads the member list first: a token whose user may not list members paused only
   * at the first change, and until then everything said "running".
   */
  @Test
  void aStartOnATokenWhoseUserMayNotListMembersIsPausedAtOnceUntilItMay() throws Exception {
    pausedAtStartUntilAllowed(FulcrumClient.MEMBERS_LIST, "can_manage_members", "the Owner role");
  }

  /** A 403 says the token works: the pause line says what the token's user lacks, not to wait for the token. */
  @Test
  void aPauseForAReadRefusedToTheTokensUserSaysTheTokenWorksAndWhatItsUserNeeds() throws Exception {
    fulcrum = FulcrumEmulator.builder().token(OLD_TOKEN).build().start("127.0.0.1", 0);
    fulcrum.faults().forbidden(FulcrumClient.ROLES_LIST, true);
    bridge = bridgeWith(OLD_TOKEN);
    pausedEverywhere("403");
    assertThat(errors()).filteredOn(m -> m.startsWith("RECONCILER PAUSED: ")).singleElement().satisfies(m -> assertThat(m)
        .contains("the token works", "until Fulcrum allows the token's user " + FulcrumClient.ROLES_LIST)
        .doesNotContain("until the token works again"));
  }

  /**
   * A token whose user may not read a member by id: the start cannot check users.reassign_records_to,
   * and each removal read back by id would end DEAD. Removals still go out, so nothing pauses, but an
   * ERROR line names the key, what happens and what to do (it was one WARN).
   */
  @Test
  void aStartWhoseReassignTargetLookupIsRefusedToTheTokensUserSaysWhatRemovalsDoAndWhatToDo() throws Exception {
    fulcrum = FulcrumEmulator.builder().token(OLD_TOKEN).build().start("127.0.0.1", 0);
    fulcrum.faults().forbidden("GET /api/v2/memberships/{id}.json", true);
    bridge = bridgeAt(fulcrum.baseUrl(), OLD_TOKEN, "users:\n  reassign_records_to: " + fulcrum.ownerMembershipId() + "\n");

    assertThat(errors()).anySatisfy(m -> assertThat(m).startsWith("users.reassign_records_to could not be checked: ")
        .contains("403", "ends DEAD", "the Owner role", "fulcrum-scim journal retry --all-dead"));
    assertThat(new ScimHttp(bridge.rootUrl(), null).get("/healthz").text()).contains("\"reconciler\":\"running\"");
  }

  /** review-s8f F1, s11g F3: the pause is shared; a serve waiting out a lease it does not hold pauses nothing and says when it will. */
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
        .anySatisfy(m -> assertThat(m).startsWith("this serve's Fulcrum API token is refused").contains("401")
            .contains("takes the writer lease when its holder lets it go"));
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
