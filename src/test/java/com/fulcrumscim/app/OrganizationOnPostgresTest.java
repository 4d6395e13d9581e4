package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.fulcrum.emulator.CallCounter;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.reconcile.LinkOrganization;
import com.fulcrumscim.reconcile.LinkTarget;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import com.fulcrumscim.testing.TestStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * review-s17ha F1: a node configured for another Fulcrum organization (a staging config copied onto a
 * production node) took the writer lease at a fail-over, re-targeted the database with a WARN, and every
 * deactivation found its linked member "already gone" in the wrong Fulcrum: DONE, the link dropped, the
 * person keeping access. The organization its token reports, not its URL, decides; another host name of the
 * same organization still leads.
 */
@RequiresPostgres
@Execution(ExecutionMode.CONCURRENT)
class OrganizationOnPostgresTest {
  static final String PROD = "fulcrum-token-of-production";
  static final String STAGING = "fulcrum-token-of-staging";
  static final Duration TTL = Duration.ofSeconds(3);

  final TestStore store = TestStore.freshPostgres();
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  final List<ScimTestServer> started = new ArrayList<>();
  final FulcrumEmulator prod = FulcrumEmulator.builder().token(PROD).build().start("127.0.0.1", 0);
  final FulcrumEmulator staging = FulcrumEmulator.builder().token(STAGING).build().start("127.0.0.1", 0);

  @AfterEach
  void stop() {
    started.forEach(ScimTestServer::close);
    prod.close();
    staging.close();
  }

  ScimTestServer node(String baseUrl, String apiToken) {
    ScimTestServer node = ScimTestServer.start(store, ScimTestServer.fulcrumAt(baseUrl, apiToken)
        + "ha:\n  lease_ttl: " + TTL.toSeconds() + "s\n", Clock.systemUTC(), Bridge.Mode.FULL);
    started.add(node);
    return node;
  }

  static ScimHttp.Response get(ScimTestServer node, String path) {
    return new ScimHttp(node.rootUrl(), null).get(path);
  }

  static boolean leads(ScimTestServer node) {
    return get(node, "/healthz").json().path("leader").asBoolean();
  }

  Optional<String> setting(String key) {
    try (Database db = Database.open(store.location())) {
      return new SettingStore(db).get(key);
    }
  }

  /** What status prints as WARNING rows for the running nodes' Fulcrum. */
  List<String> statusWarnings() {
    try (Database db = Database.open(store.location())) {
      return NodeTokens.fulcrumProblems(new NodeTokens(db, DatabaseClock.of(db, Clock.systemUTC())).live(TTL));
    }
  }

  static long writes(CallCounter calls) {
    return calls.all().stream().filter(c -> !c.endpoint().startsWith("GET ")).mapToLong(CallCounter.CallCount::count).sum();
  }

  @Test
  void aNodeOfAnotherOrganizationNeverLeadsNorWritesToEitherFulcrumAndStatusShowsIt() throws Exception {
    ScimTestServer a = node(prod.baseUrl(), PROD);
    await().atMost(Duration.ofSeconds(10)).until(() -> leads(a));
    String id = a.http().post("/Users", Bodies.user("k47@corp.example")).json().path("id").asText();
    await().atMost(Duration.ofSeconds(20)).until(() -> prod.memberByEmail("k47@corp.example").isPresent());
    assertThat(setting(LinkOrganization.KEY)).as("recorded by the first node").isPresent();

    ScimTestServer d = node(staging.baseUrl(), STAGING);

    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).extracting(ILoggingEvent::getFormattedMessage)
        .filteredOn(line -> line.contains("but this database's links point into")).singleElement().asString()
        .contains(setting(LinkOrganization.KEY).orElseThrow()).contains("never leads");
    assertThat(get(d, "/readyz").status()).isEqualTo(503);
    assertThat(get(d, "/healthz").json().path("fulcrum_organization").asText())
        .contains("links point into").contains(setting(LinkOrganization.KEY).orElseThrow());
    await().atMost(TTL.multipliedBy(2)).until(() -> !statusWarnings().isEmpty());
    assertThat(statusWarnings()).singleElement().asString().contains(":" + d.bridge().port()).contains(staging.baseUrl());

    prod.calls().reset();
    staging.calls().reset();
    a.close();
    started.remove(a);
    d.http().patch("/Users/" + id, Bodies.patch("{\"op\":\"replace\",\"path\":\"active\",\"value\":false}"));
    d.http().post("/Users", Bodies.user("new-hire@corp.example"));
    Thread.sleep(TTL.multipliedBy(3).toMillis()); // the lease lapses; a node that may lead takes it within a third of one

    assertThat(leads(d)).as("a node of another organization took the writer lease").isFalse();
    assertThat(writes(staging.calls())).as("calls that write into the other organization").isZero();
    assertThat(writes(prod.calls())).as("calls that write into the database's organization").isZero();
    assertThat(setting(LinkTarget.KEY)).contains(prod.baseUrl());
    assertThat(prod.memberByEmail("k47@corp.example")).as("the linked member, still there to remove").isPresent();
    assertThat(staging.memberByEmail("new-hire@corp.example")).isEmpty();

    ScimTestServer b = node(prod.baseUrl(), PROD);
    await().atMost(Duration.ofSeconds(10)).until(() -> leads(b));
    await().atMost(Duration.ofSeconds(20)).until(() -> prod.memberByEmail("k47@corp.example").isEmpty()
        && prod.memberByEmail("new-hire@corp.example").isPresent());
  }

  @Test
  void aNodeOfTheSameOrganizationUnderAnotherHostNameStillLeadsAndKeepsTheLinks() {
    String leaders = prod.baseUrl();
    String another = leaders.replace("127.0.0.1", "localhost");
    ScimTestServer a = node(leaders, PROD);
    await().atMost(Duration.ofSeconds(10)).until(() -> leads(a));
    a.http().post("/Users", Bodies.user("kept@corp.example"));
    await().atMost(Duration.ofSeconds(20)).until(() -> prod.memberByEmail("kept@corp.example").isPresent());
    Optional<String> organization = setting(LinkOrganization.KEY);
    assertThat(organization).isPresent();

    ScimTestServer b = node(another, PROD);
    assertThat(get(b, "/readyz").status()).isEqualTo(200);
    a.close();
    started.remove(a);

    await().atMost(Duration.ofSeconds(10)).until(() -> leads(b));
    assertThat(setting(LinkTarget.KEY)).contains(another);
    assertThat(setting(LinkOrganization.KEY)).isEqualTo(organization);
    b.http().post("/Users", Bodies.user("after-the-rename@corp.example"));
    await().atMost(Duration.ofSeconds(20)).until(() -> prod.memberByEmail("after-the-rename@corp.example").isPresent());
    assertThat(prod.members()).extracting(m -> m.email()).contains("kept@corp.example");
  }

  /**
   * A start while Fulcrum does not answer leads at once, as before the organization check (it asked again
   * once a minute, and every hand-over waited for it), and applies once Fulcrum answers and tells it.
   */
  @Test
  void aNodeStartedWhileItsFulcrumIsDownLeadsAtOnceAndAppliesOnceFulcrumAnswers() {
    int port = URI.create(prod.baseUrl()).getPort();
    prod.stop();
    ScimTestServer a = node(prod.baseUrl(), PROD);
    await().atMost(Duration.ofSeconds(10)).until(() -> leads(a));
    a.http().post("/Users", Bodies.user("during-the-outage@corp.example"));

    prod.start("127.0.0.1", port);
    await().atMost(Duration.ofSeconds(40)).until(() -> prod.memberByEmail("during-the-outage@corp.example").isPresent());
    assertThat(setting(LinkOrganization.KEY)).as("recorded once Fulcrum told it").isPresent();
  }

  /**
   * Leading without having been told its organization (its Fulcrum down at start), a node of another
   * organization sends that Fulcrum nothing once it answers, neither a write nor a read whose missing member
   * would drop a link, and gives the lease up: the database's organization still has its linked member to remove.
   */
  @Test
  void aNodeOfAnotherOrganizationThatLedWhileItsFulcrumWasDownSendsItNothingAndStepsDownOnceItAnswers() throws Exception {
    ScimTestServer a = node(prod.baseUrl(), PROD);
    await().atMost(Duration.ofSeconds(10)).until(() -> leads(a));
    String id = a.http().post("/Users", Bodies.user("k47@corp.example")).json().path("id").asText();
    await().atMost(Duration.ofSeconds(20)).until(() -> prod.memberByEmail("k47@corp.example").isPresent());
    a.close();
    started.remove(a);
    int port = URI.create(staging.baseUrl()).getPort();
    staging.stop();

    ScimTestServer d = node(staging.baseUrl(), STAGING);
    await().atMost(Duration.ofSeconds(10)).until(() -> leads(d));
    d.http().patch("/Users/" + id, Bodies.patch("{\"op\":\"replace\",\"path\":\"active\",\"value\":false}"));
    d.http().post("/Users", Bodies.user("new-hire@corp.example"));
    staging.calls().reset();
    prod.calls().reset();
    staging.start("127.0.0.1", port);

    // the client's circuit, opened by the calls that failed during the outage, lets the check go after 30 s
    await().atMost(Duration.ofSeconds(50)).until(() -> get(d, "/healthz").json().has("fulcrum_organization") && !leads(d));
    Thread.sleep(TTL.toMillis()); // a cycle that could still send would do so now
    assertThat(staging.calls().all()).as("calls other than the organization check")
        .allSatisfy(c -> assertThat(c.endpoint()).isEqualTo("GET /api/v2/users.json"));
    assertThat(writes(prod.calls())).isZero();
    assertThat(get(d, "/readyz").status()).isEqualTo(503);

    ScimTestServer b = node(prod.baseUrl(), PROD);
    await().atMost(Duration.ofSeconds(10)).until(() -> leads(b));
    await().atMost(Duration.ofSeconds(20)).until(() -> prod.memberByEmail("k47@corp.example").isEmpty()
        && prod.memberByEmail("new-hire@corp.example").isPresent());
  }
}
