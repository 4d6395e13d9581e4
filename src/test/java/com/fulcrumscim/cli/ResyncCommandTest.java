package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.fulcrum.emulator.CallCounter;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.ReconcileHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code resync} against the emulator, on the database the reconciler harness (the daemon's stand-in) uses. */
class ResyncCommandTest {
  @TempDir Path dir;
  ReconcileHarness h;
  String adaId;
  String adaScimId;

  @BeforeEach
  void start() {
    h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults());
    adaScimId = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    adaId = h.fulcrum.memberByEmail("ada@corp.example").orElseThrow().id();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  OpsCliRun cli(String baseUrl, String token) throws Exception {
    return new OpsCliRun(dir, "fulcrum:\n  base_url: " + baseUrl + "\n  api_token: " + token + "\n  calls_per_hour: 3600000\n");
  }

  OpsCliRun cli() throws Exception {
    return cli(h.fulcrum.baseUrl(), ReconcileHarness.TOKEN);
  }

  void driftByHand() {
    h.http.updateMember(adaId, new MemberFields(null, "Adda", null, null));
    h.fulcrum.calls().reset();
  }

  /**
   * In front of the emulator: passes every call on, but refuses a member change with a message that
   * quotes a credential, as a gateway (or a Fulcrum) might. Not the bridge's own token, which the
   * client scrubs from Fulcrum's answers itself: the log's redactor is the last line of defence.
   */
  static final class QuotingGateway extends Dispatcher {
    static final String QUOTED = "tok-GATEWAY-5ecret";
    private final HttpUrl fulcrum;
    private final OkHttpClient client = new OkHttpClient();

    QuotingGateway(String fulcrumBaseUrl) {
      this.fulcrum = HttpUrl.get(fulcrumBaseUrl);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      if (request.getMethod().equals("PUT") && request.getUrl().encodedPath().contains("/memberships/")) {
        return new MockResponse(422, Headers.of("Content-Type", "application/json"),
            "{\"errors\":\"X-ApiToken: " + QUOTED + " may not change memberships\"}");
      }
      return passOn(request);
    }

    /** {@code request} as the emulator answers it. */
    MockResponse passOn(RecordedRequest request) {
      Headers json = Headers.of("Content-Type", "application/json");
      HttpUrl to = fulcrum.newBuilder().encodedPath(request.getUrl().encodedPath())
          .encodedQuery(request.getUrl().encodedQuery()).build();
      RequestBody body = request.getBody() == null || request.getMethod().equals("GET") ? null
          : RequestBody.create(request.getBody(), MediaType.get("application/json"));
      Request.Builder forwarded = new Request.Builder().url(to).method(request.getMethod(), body);
      for (String name : List.of("X-ApiToken", "Accept", "Content-Type")) {
        String value = request.getHeaders().get(name);
        if (value != null) {
          forwarded.header(name, value);
        }
      }
      try (Response answer = client.newCall(forwarded.build()).execute()) {
        return new MockResponse(answer.code(), json, answer.body().string());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * In front of the emulator: passes every call on, and as the first member change is answered a
   * daemon takes the writer lease over (the command stalled past its life meanwhile, say).
   */
  final class TakeOverGateway extends Dispatcher {
    private final QuotingGateway forward = new QuotingGateway(h.fulcrum.baseUrl());
    private boolean tookOver;

    @Override
    public synchronized MockResponse dispatch(RecordedRequest request) {
      if (tookOver || !(request.getMethod().equals("PUT") && request.getUrl().encodedPath().contains("/memberships/"))) {
        return forward.passOn(request);
      }
      MockResponse answer = forward.passOn(request);
      tookOver = true;
      h.db.write(c -> c.createStatement().executeUpdate(
          "UPDATE writer_lease SET holder = 'daemon-b', role = 'DAEMON', expires_at = expires_at + 600000"));
      try {
        Thread.sleep(2_500); // the command's keeper, renewing every second, finds the lease gone
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return answer;
    }
  }

  /** review-s4 F2: a resync working with no daemon stops once its lease is lost, and says why. */
  @Test
  void anInProcessResyncWhoseLeaseADaemonTookOverStopsSayingSo() throws Exception {
    driftByHand();
    try (MockWebServer gateway = new MockWebServer()) {
      gateway.setDispatcher(new TakeOverGateway());
      gateway.start();
      OpsCliRun cli = new OpsCliRun(dir, "fulcrum:\n  base_url: " + gateway.url("/") + "\n  api_token: "
          + ReconcileHarness.TOKEN + "\n  calls_per_hour: 3600000\nha:\n  lease_ttl: 3s\n");

      OpsCliRun.Result r = cli.runWithConfig("resync");

      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
      assertThat(r.err()).contains("resync interrupted: this command lost the Fulcrum writer lease");
    }
  }

  @Test
  void aCredentialInALoggedFulcrumAnswerIsMaskedOnTheCommandsStderr() throws Exception {
    driftByHand();
    try (MockWebServer gateway = new MockWebServer()) {
      gateway.setDispatcher(new QuotingGateway(h.fulcrum.baseUrl()));
      gateway.start();
      OpsCliRun cli = cli(gateway.url("/").toString(), ReconcileHarness.TOKEN);

      // a JVM of its own, as the operator's shell runs it: logging is set up once per process
      BridgeProcess.CommandRun r = BridgeProcess.command(cli.config, "resync");

      List<String> logged = r.err().lines().filter(l -> l.contains("Fulcrum UPDATE_MEMBER")).toList();
      assertThat(logged).as(r.err()).isNotEmpty()
          .allSatisfy(l -> assertThat(l).contains("X-ApiToken: <redacted> may not change memberships"));
      assertThat(logged).noneMatch(l -> l.contains(QuotingGateway.QUOTED));
    }
  }

  @Test
  void theCommandsLogHonoursLoggingLevel() throws Exception {
    driftByHand();
    OpsCliRun quiet = new OpsCliRun(dir, "fulcrum:\n  base_url: " + h.fulcrum.baseUrl() + "\n  api_token: "
        + ReconcileHarness.TOKEN + "\n  calls_per_hour: 3600000\nlogging:\n  level: warn\n");

    BridgeProcess.CommandRun r = BridgeProcess.command(quiet.config, "resync");

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("1 of 1 drifting fixed");
    assertThat(r.err()).doesNotContain("Fulcrum UPDATE_MEMBER").doesNotContain(" INFO ");
  }

  @Test
  void noDriftExitsZero() throws Exception {
    OpsCliRun.Result r = cli().runWithConfig("resync");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).containsOnlyOnce("No drift: Fulcrum matches what Okta wants for all 1 managed users and groups.");
  }

  @Test
  void aDryRunPrintsThePlanAsATableChangesNothingAndExitsOne() throws Exception {
    driftByHand();
    OpsCliRun.Result r = cli().runWithConfig("resync", "--dry-run");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.out())
        .containsPattern("ENTITY\\s+FIELD\\s+FULCRUM HAS\\s+OKTA WANTS\\s+ACTION")
        .containsPattern("user ada@corp.example\\s+first_name\\s+Adda\\s+Ada\\s+update")
        .contains("Checked 1 managed users and groups: 1 drifting; 1 for the reconciler to fix");
    assertThat(h.fulcrum.calls().all()).extracting(CallCounter.CallCount::endpoint).allMatch(e -> e.startsWith("GET "));
    assertThat(h.fulcrum.member(adaId).orElseThrow().firstName()).isEqualTo("Adda");
  }

  @Test
  void applyingFixesTheDriftPrintsTheOutcomeAndExitsZero() throws Exception {
    driftByHand();
    OpsCliRun.Result r = cli().runWithConfig("resync");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("user ada@corp.example\\s+first_name\\s+Adda\\s+Ada\\s+update")
        .contains("Applied through the reconciler: 1 of 1 drifting fixed, 0 still drifting.");
    assertThat(h.fulcrum.member(adaId).orElseThrow().firstName()).isEqualTo("Ada");
  }

  @Test
  void anOrphanMemberTheGuardHoldsIsRemovedOnlyByAResyncWithApproveRemovals() throws Exception {
    h.db.write(c -> {
      try (var ps = c.prepareStatement("DELETE FROM link WHERE entity_type = 'USER' AND scim_id = ?")) {
        ps.setString(1, adaScimId);
        return ps.executeUpdate();
      }
    });
    h.okta.set(adaScimId, "active", 0);
    h.settle();
    OpsCliRun guarded = new OpsCliRun(dir, "fulcrum:\n  base_url: " + h.fulcrum.baseUrl() + "\n  api_token: "
        + ReconcileHarness.TOKEN + "\n  calls_per_hour: 3600000\nguard:\n  mass_removal_minimum: 0\n");

    OpsCliRun.Result held = guarded.runWithConfig("resync");
    OpsCliRun.Result both = guarded.runWithConfig("resync", "--dry-run", "--approve-removals=1");
    assertThat(h.fulcrum.member(adaId)).isPresent();
    OpsCliRun.Result approved = guarded.runWithConfig("resync", "--approve-removals=1");

    assertThat(held.exit()).as(held.err()).isEqualTo(1);
    assertThat(held.out()).contains("Stopped early: 1 orphan member removal held by the mass-removal guard")
        .containsPattern("orphan member ada@corp.example\\s+member");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("--approve-removals applies a resync: drop --dry-run to use it");
    assertThat(approved.exit()).as(approved.err()).isZero();
    assertThat(h.fulcrum.member(adaId)).isEmpty();
  }

  @Test
  void approveRemovalsTakesHowManyOrphanMemberRemovalsThePlanShowed() throws Exception {
    OpsCliRun.Result bare = cli().runWithConfig("resync", "--approve-removals");
    OpsCliRun.Result none = cli().runWithConfig("resync", "--approve-removals=0");

    assertThat(bare.exit()).isEqualTo(2);
    assertThat(bare.err()).contains("--approve-removals");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("--approve-removals=N: N is how many orphan member removals the --dry-run plan shows");
  }

  @Test
  void aResyncOfManyKeysShowsItsProgressOnStderrAsPlainLinesWithoutATerminal() throws Exception {
    int many = ProgressLine.PROGRESS_ABOVE + 5;
    for (int i = 0; i < many; i++) {
      h.okta.user("u" + i + "@corp.example", "U", "Ser" + i, null);
    }
    h.settle();
    h.fulcrum.members().stream().filter(m -> m.email().startsWith("u"))
        .forEach(m -> h.http.updateMember(m.id(), new MemberFields(null, "Edited", null, null)));

    OpsCliRun.Result r = cli().runWithConfig("resync");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("applying users: " + many + "/" + many).doesNotContain("\r");
    assertThat(r.out()).contains("Applied through the reconciler: " + many + " of " + many + " drifting fixed");
  }

  @Test
  void driftThatCannotBeFixedExitsOneAndIsListedAsRemaining() throws Exception {
    h.okta.user("taken@corp.example", "Tak", "En", null);
    h.settle();
    OpsCliRun.Result r = cli().runWithConfig("resync");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("Drift remaining:").containsPattern("user taken@corp.example\\s+email\\s+unmanaged member Taken@corp.example");
  }

  @Test
  void jsonPrintsTheWholeReport() throws Exception {
    driftByHand();
    OpsCliRun.Result r = cli().runWithConfig("resync", "--dry-run", "--json");
    JsonNode report = new ObjectMapper().readTree(r.out());
    assertThat(report.path("totals").path("drifting").asInt()).isEqualTo(1);
    assertThat(report.path("plan").get(0).path("key").asText()).startsWith("user/");
    assertThat(report.path("applied").asBoolean()).isFalse();
  }

  @Test
  void aRefusedTokenExitsFourAndSaysSo() throws Exception {
    OpsCliRun.Result r = cli(h.fulcrum.baseUrl(), "not-the-token").runWithConfig("resync");
    assertThat(r.exit()).isEqualTo(4);
    assertThat(r.err()).contains("refuses the API token").contains("nothing was changed").doesNotContain("not-the-token");
  }

  /** A failure the command answers itself printed nothing on stdout, where a script reading --json looks (review-s12d 7). */
  @Test
  void aRefusedTokenWithJsonIsAJsonObjectSayingSoWithTheSameExitCode() throws Exception {
    OpsCliRun.Result r = cli(h.fulcrum.baseUrl(), "not-the-token").runWithConfig("resync", "--json");
    assertThat(r.exit()).isEqualTo(4);
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.path("error").asText()).contains("refuses the API token").isEqualTo(r.err().strip());
    assertThat(json.path("exitCode").asInt()).isEqualTo(4);
  }

  @Test
  void anUnreachableFulcrumExitsFour() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    OpsCliRun.Result r = cli("http://127.0.0.1:" + closedPort, "tok").runWithConfig("resync", "--dry-run");
    assertThat(r.exit()).isEqualTo(4);
    assertThat(r.err()).contains("cannot be read");
  }

  @Test
  void withTheEmbeddedEmulatorAndNoDaemonItSaysTheEmulatorLivesInServeAndExitsFour() throws Exception {
    OpsCliRun.Result r = new OpsCliRun(dir).runWithConfig("resync");
    assertThat(r.exit()).isEqualTo(4);
    assertThat(r.err()).contains("fulcrum.base_url is 'embedded'").contains("only exists inside a running `fulcrum-scim serve`")
        .doesNotContain("Exception");
  }
}
