package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.reconcile.Link;
import com.fulcrumscim.reconcile.LinkStore;
import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.RequestStore;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.ops.OpsStore;
import com.fulcrumscim.ops.StoreLocations;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import com.fulcrumscim.scim.BearerTokens;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class BridgeTest {
  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  Bridge start(String envToken) {
    return start(envToken, config("", 0));
  }

  Bridge start(String envToken, BridgeConfig config) {
    return new Bridge(config, n -> n.equals("FULCRUM_SCIM_TOKEN") ? envToken : null, Clock.systemUTC(),
        new SecureRandom()).start();
  }

  /** Fulcrum calls unpaced: at the default budget they go 0.7 s apart, and no test here is about the pace. */
  static final String UNPACED = "  calls_per_hour: 3600000\n";

  /** This test's database and {@code yaml}, on {@code port} (0: any free one), with the embedded emulator. */
  BridgeConfig config(String yaml, int port) {
    return ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", "storage:\n  path: " + dir.resolve("b.db")
        + "\nfulcrum:\n" + UNPACED + yaml), port);
  }

  static int status(Bridge bridge, String token) {
    return new ScimHttp(bridge.scimBaseUrl(), "Bearer " + token).get("/Users").status();
  }

  /** The bridge on this test's database aimed at {@code fulcrum} by {@code baseUrl}, taking ScimTestServer.TOKEN as its SCIM token. */
  Bridge startAgainst(String baseUrl, FulcrumEmulator fulcrum) {
    return startAgainst(baseUrl, fulcrum, "");
  }

  /** As {@link #startAgainst(String, FulcrumEmulator)}, with {@code yaml} added to the config. */
  Bridge startAgainst(String baseUrl, FulcrumEmulator fulcrum, String yaml) {
    BridgeConfig config = ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", "storage:\n  path: "
        + dir.resolve("b.db") + "\nfulcrum:\n  base_url: " + baseUrl + "\n  api_token: " + fulcrum.token() + "\n" + UNPACED
        + "reconcile:\n  interval: 200ms\n" + yaml), 0);
    return new Bridge(config, n -> n.equals("FULCRUM_SCIM_TOKEN") ? ScimTestServer.TOKEN : null, Clock.systemUTC(),
        new SecureRandom()).start();
  }

  /** Posts a user as Okta does and waits until the bridge has linked it to a member; returns the member's id. */
  String provisioned(Bridge bridge, FulcrumEmulator fulcrum, String email) {
    assertThat(new ScimHttp(bridge.scimBaseUrl(), "Bearer " + ScimTestServer.TOKEN).post("/Users", Bodies.user(email)).status()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(10)).until(() -> fulcrum.memberByEmail(email).isPresent()
        && userLinks().containsValue(fulcrum.memberByEmail(email).get().id()));
    return fulcrum.memberByEmail(email).orElseThrow().id();
  }

  /** SCIM user id → Fulcrum member id, as the database holds them. */
  Map<String, String> userLinks() {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      return new LinkStore(db).all(EntityType.USER).stream().collect(Collectors.toMap(Link::scimId, Link::fulcrumId));
    }
  }

  Optional<String> recordedTarget() {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      return new SettingStore(db).get("fulcrum.link_target");
    }
  }

  /**
   * review-s11f F3: on SQLite a serve restarted on a token Fulcrum refuses "handed the lease over" to
   * its own earlier run (the report of an accepted token it left), and then left the free lease to
   * no one: about two lease lives with no daemon holding it. One SQLite file takes one serve.
   */
  @Test
  void onSqliteAServeOnARefusedTokenNeitherHandsTheLeaseOverNorLeavesItFree() throws Exception {
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0)) {
      String yaml = "ha:\n  lease_ttl: 3s\n";
      startAgainst(fulcrum.baseUrl(), fulcrum, yaml).stop();
      String accepted = fulcrum.token();
      fulcrum.replaceToken("rotated-in-fulcrum-since");
      BridgeConfig config = ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", "storage:\n  path: "
          + dir.resolve("b.db") + "\nfulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + accepted + "\n"
          + UNPACED + "reconcile:\n  interval: 200ms\n" + yaml), 0);
      Bridge bridge = start(null, config);
      try {
        Thread.sleep(4_000); // past a renewal (every second here), where a paused leader would hand over
        assertThat(logs.events()).noneSatisfy(e -> assertThat(e.getFormattedMessage())
            .containsAnyOf("hands the writer lease over", "leaves the lease to another node"));
      } finally {
        bridge.stop();
      }
    }
  }

  /**
   * review-s11g F3: after a kill -9 on SQLite the restarted serve waits out the dead run's lease as a
   * standby; on a refused token it said it "leaves the writer lease to a node whose token works".
   */
  @Test
  void onSqliteAServeWaitingOutAStoppedRunsLeaseOnARefusedTokenSpeaksOfNoOtherNode() {
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0)) {
      String accepted = fulcrum.token();
      try (Database db = Database.open(dir.resolve("b.db"))) {
        // what a serve killed outright leaves: its lease, live until it ends
        assertThat(new WriterLease(db, DatabaseClock.of(db, Clock.systemUTC()), WriterLease.Role.DAEMON, Duration.ofSeconds(30))
            .tryHold()).isTrue();
      }
      fulcrum.replaceToken("rotated-in-fulcrum-since");
      BridgeConfig config = ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", "storage:\n  path: "
          + dir.resolve("b.db") + "\nfulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + accepted + "\n"
          + UNPACED + "ha:\n  lease_ttl: 30s\n"), 0);
      Bridge bridge = start(null, config);
      try {
        assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).anySatisfy(e -> assertThat(
            e.getFormattedMessage()).startsWith("this serve's Fulcrum API token is refused")
            .contains("when its holder lets it go", "a serve that stopped without releasing it", "`check --write-test`: when the test ends"));
        assertThat(logs.events()).noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("to a node whose token works"));
      } finally {
        bridge.stop();
      }
    }
  }

  @Test
  void theEmbeddedEmulatorIsRefusedADatabaseWhoseLinksAreARealFulcrums() {
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0)) {
      Bridge real = startAgainst(fulcrum.baseUrl(), fulcrum);
      provisioned(real, fulcrum, "ada@corp.example");
      real.stop();
      Map<String, String> links = userLinks();

      // no fulcrum section: embedded, as on a second node whose config sets only the storage
      assertThatThrownBy(() -> start(ScimTestServer.TOKEN)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("fulcrum.base_url").hasMessageContaining(fulcrum.baseUrl())
          .hasMessageContaining("a database of its own").message().doesNotContain("\n");
      assertThat(userLinks()).isEqualTo(links);
      assertThat(recordedTarget()).contains(fulcrum.baseUrl());
    }
  }

  @Test
  void theEmbeddedEmulatorIsRefusedLinksMadeBeforeTheirTargetWasRecorded() {
    // a database an earlier release linked: nothing says which Fulcrum its links are into
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0)) {
      Bridge real = startAgainst(fulcrum.baseUrl(), fulcrum);
      provisioned(real, fulcrum, "ada@corp.example");
      real.stop();
      try (Database db = Database.open(dir.resolve("b.db"))) {
        new SettingStore(db).write(Map.of("fulcrum.link_target", Optional.empty()));
      }
      Map<String, String> links = userLinks();

      assertThatThrownBy(() -> start(ScimTestServer.TOKEN)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("fulcrum.base_url").hasMessageContaining("1 links made before");
      assertThat(userLinks()).isEqualTo(links);
    }
  }

  @Test
  void theEmbeddedEmulatorStartsEmptyEachRunAndIsGivenEveryStoredUserAgain() {
    Bridge first = start(ScimTestServer.TOKEN);
    provisioned(first, first.emulator().orElseThrow(), "ada@corp.example");
    first.stop();

    Bridge second = start(ScimTestServer.TOKEN);
    try {
      FulcrumEmulator fresh = second.emulator().orElseThrow();
      await().atMost(Duration.ofSeconds(10)).until(() -> fresh.memberByEmail("ada@corp.example").isPresent());
    } finally {
      second.stop();
    }
  }

  @Test
  void fromTheEmbeddedEmulatorToARealFulcrumTheEmulatorsLinksAreForgottenAndEveryStoredUserIsPushed() {
    Bridge trial = start(ScimTestServer.TOKEN);
    String emulatorsId = provisioned(trial, trial.emulator().orElseThrow(), "ada@corp.example");
    trial.stop();

    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0)) {
      Bridge real = startAgainst(fulcrum.baseUrl(), fulcrum);
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> fulcrum.memberByEmail("ada@corp.example").isPresent());
        String realId = fulcrum.memberByEmail("ada@corp.example").orElseThrow().id();
        await().atMost(Duration.ofSeconds(10)).until(() -> userLinks().containsValue(realId));
        assertThat(userLinks()).doesNotContainValue(emulatorsId);
        assertThat(logs.events()).anySatisfy(e -> assertThat(e.getFormattedMessage())
            .contains("links were into the embedded emulator").contains("1 stored users and groups are pushed into " + fulcrum.baseUrl()));
      } finally {
        real.stop();
      }
    }
  }

  /** Link rows as an earlier push made them: {@code type} USER or GROUP. */
  void linked(String type, String... scimIds) {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      for (String id : scimIds) {
        db.write(c -> c.createStatement().executeUpdate("INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at)"
            + " VALUES ('" + type + "', '" + id + "', 'f-" + id + "', 'CREATED', 0)"));
      }
    }
  }

  List<String> groupsPushWarnings() {
    return logs.events().stream().filter(e -> e.getLevel() == Level.WARN)
        .map(e -> e.getFormattedMessage()).filter(m -> m.startsWith("groups.push is false")).toList();
  }

  @Test
  void withGroupsPushOffAStartWarnsOnceThatTheGroupsTheBridgeManagesNoLongerFollowOkta() {
    linked("GROUP", "g-crew", "g-ops");
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0)) {
      startAgainst(fulcrum.baseUrl(), fulcrum, "groups:\n  push: false\n").stop();
    }
    assertThat(groupsPushWarnings()).singleElement().satisfies(m -> assertThat(m)
        .contains("manages 2 Fulcrum groups", "people Okta takes out of them keep the access", "groups.push: true")
        .doesNotContain("\n"));
  }

  @Test
  void withGroupsPushOffAndNoGroupTheBridgeManagesAStartSaysNothingOfGroups() {
    linked("USER", "u-ada");
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0)) {
      startAgainst(fulcrum.baseUrl(), fulcrum, "groups:\n  push: false\n").stop();
    }
    assertThat(groupsPushWarnings()).isEmpty();
  }

  @Test
  void anotherUrlForTheSameFulcrumKeepsTheLinksWithOneWarningNamingBoth() {
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0)) {
      Bridge first = startAgainst(fulcrum.baseUrl(), fulcrum);
      String memberId = provisioned(first, fulcrum, "ada@corp.example");
      first.stop();
      String otherName = fulcrum.baseUrl().replace("127.0.0.1", "localhost");

      Bridge second = startAgainst(otherName, fulcrum);
      try {
        assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("changed from"))
            .singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                .contains(fulcrum.baseUrl() + " to " + otherName).contains("links are kept"));
        // still managed: Okta's deactivation removes the member
        String scimId = userLinks().entrySet().stream().filter(l -> l.getValue().equals(memberId)).findFirst().orElseThrow().getKey();
        assertThat(new ScimHttp(second.scimBaseUrl(), "Bearer " + ScimTestServer.TOKEN).patch("/Users/" + scimId,
            Bodies.patch("{\"op\":\"replace\",\"value\":{\"active\":false}}")).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> fulcrum.member(memberId).isEmpty());
      } finally {
        second.stop();
      }
      assertThat(recordedTarget()).contains(otherName);
    }
  }

  @Test
  void aReassignTargetFulcrumDoesNotKnowIsLoggedAndTheBridgeStillTakesOktasChanges() {
    // Refusing to start would stop intake too; removals leave records unassigned instead (`check` fails on it).
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0)) {
      BridgeConfig config = ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", "storage:\n  path: "
          + dir.resolve("b.db") + "\nfulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token()
          + "\nusers:\n  reassign_records_to: m-nope\n"), 0);
      Bridge bridge = new Bridge(config, n -> n.equals("FULCRUM_SCIM_TOKEN") ? ScimTestServer.TOKEN : null, Clock.systemUTC(),
          new SecureRandom()).start();
      try {
        assertThat(logs.events()).anySatisfy(e -> {
          assertThat(e.getLevel()).isEqualTo(Level.ERROR);
          assertThat(e.getFormattedMessage()).contains("users.reassign_records_to: Fulcrum has no membership with id 'm-nope'")
              .endsWith("until then removed members' records stay unassigned");
        });
        assertThat(new ScimHttp(bridge.scimBaseUrl(), "Bearer " + ScimTestServer.TOKEN).get("/Users").status()).isEqualTo(200);
      } finally {
        bridge.stop();
      }
    }
  }

  @Test
  void aRoleMapValueFulcrumHasNoRoleOfIsAnErrorLineAtStartAndTheBridgeRunsOn() {
    // refusing to start would stop every deactivation too; `check` is where it is refused
    Bridge bridge = start(ScimTestServer.TOKEN, config("roles:\n  map: {admin: Mangaer}\n", 0));
    try {
      assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).startsWith("config: roles.map.admin: 'Mangaer' is not a Fulcrum role (roles: ")
              .contains("deactivations and other changes go on"));
    } finally {
      bridge.stop();
    }
  }

  @Test
  void withTheEmbeddedEmulatorAReassignTargetItDoesNotKnowIsLoggedAsAgainstARealFulcrum() {
    Bridge bridge = start(ScimTestServer.TOKEN, config("users:\n  reassign_records_to: nobody-here\n", 0));
    try {
      assertThat(logs.events()).anySatisfy(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.ERROR);
        assertThat(e.getFormattedMessage()).contains("users.reassign_records_to: Fulcrum has no membership with id 'nobody-here'");
      });
    } finally {
      bridge.stop();
    }
  }

  @Test
  void aReassignTargetFulcrumDoesNotKnowAtStartSetsItsGaugeBeforeAnyChangeArrives() {
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0)) {
      BridgeConfig config = ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", "storage:\n  path: "
          + dir.resolve("b.db") + "\nfulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token()
          + "\nusers:\n  reassign_records_to: m-nope\n"), 0);
      Bridge bridge = new Bridge(config, n -> n.equals("FULCRUM_SCIM_TOKEN") ? ScimTestServer.TOKEN : null, Clock.systemUTC(),
          new SecureRandom()).start();
      try {
        ScimHttp ops = new ScimHttp(bridge.scimBaseUrl().replace("/scim/v2", ""), "");
        assertThat(ops.get("/metrics").text()).contains("fulcrum_scim_reassign_target_missing 1.0");
      } finally {
        bridge.stop();
      }
    }
  }

  @Test
  void withNoTokenConfiguredAGeneratedOneShownOnceIsAcceptedAfterARestart() {
    Bridge first = start(null);
    String token = first.generatedToken().orElseThrow();
    assertThat(status(first, token)).isEqualTo(200);
    first.claimGeneratedToken();
    first.stop();
    Bridge second = start(null);
    try {
      assertThat(second.generatedToken()).as("shown only once").isEmpty();
      assertThat(status(second, token)).isEqualTo(200);
    } finally {
      second.stop();
    }
  }

  /** A journal reader must not find a generated token "accepted" that was never shown nor kept (review-s10a F7). */
  @Test
  void aStartThatCannotListenNamesNoAcceptedToken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      BridgeConfig onTakenPort = config("", taken.getLocalPort());
      assertThatThrownBy(() -> start(null, onTakenPort)).hasMessageContaining("in use");
    }
    assertThat(logs.events()).map(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.startsWith("SCIM tokens accepted: "));
  }

  /** Review-s10c S4: a token generated at this start is named as accepted once it is kept, not before. */
  @Test
  void aTokenGeneratedAtThisStartIsNamedAcceptedOnlyOnceItIsKept() {
    Bridge bridge = start(null);
    try {
      String token = bridge.generatedToken().orElseThrow();
      assertThat(acceptedLines()).isEmpty();
      bridge.claimGeneratedToken();
      assertThat(acceptedLines()).singleElement().asString()
          .startsWith("SCIM tokens accepted: the token serve generated " + BearerTokens.prefix(BearerTokens.sha256Hex(token)));
    } finally {
      bridge.stop();
    }
  }

  List<String> acceptedLines() {
    return logs.events().stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith("SCIM tokens accepted: "))
        .toList();
  }

  @Test
  void aStartThatFailsBeforeItsTokenIsShownLeavesNoneBehindSoTheNextStartGeneratesOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      BridgeConfig onTakenPort = config("", taken.getLocalPort());
      assertThatThrownBy(() -> start(null, onTakenPort)).hasMessageContaining("in use");
    }
    Bridge next = start(null);
    try {
      String token = next.generatedToken().orElseThrow();
      assertThat(status(next, token)).isEqualTo(200);
    } finally {
      next.stop();
    }
  }

  @Test
  void aGeneratedTokenKeptButThenNotShownIsGivenUpSoTheNextStartGeneratesOne() {
    Bridge first = start(null);
    String unseen = first.generatedToken().orElseThrow();
    assertThat(first.claimGeneratedToken()).contains(new GeneratedTokenClaim.Mine(unseen));
    first.generatedTokenNotShown(); // serve's stdout was closed
    first.stop();
    assertTheNextStartGeneratesAnotherThan(unseen);
  }

  @Test
  void aGeneratedTokenNeverShownIsNotAcceptedAfterARestart() {
    Bridge first = start(null);
    String unseen = first.generatedToken().orElseThrow();
    first.stop();
    assertTheNextStartGeneratesAnotherThan(unseen);
  }

  /** The next start generates a token of its own, and {@code unseen} is not accepted. */
  void assertTheNextStartGeneratesAnotherThan(String unseen) {
    Bridge next = start(null);
    try {
      assertThat(next.generatedToken()).isPresent().get().isNotEqualTo(unseen);
      assertThat(status(next, unseen)).isEqualTo(401);
    } finally {
      next.stop();
    }
  }

  @Test
  void aReloadThatWouldAcceptNoTokenIsRefusedAndTheTokenInUseKeepsWorking() {
    Bridge bridge = start(null, config("scim:\n  token_hashes: [\"" + BearerTokens.sha256Hex("okta") + "\"]\n", 0));
    try {
      assertThatThrownBy(() -> bridge.reload(config("scim:\n  token_hashes: []\n", 0)))
          .hasMessageContaining("scim.token_hashes is empty").hasMessageContaining("the tokens in use stay")
          .message().doesNotContain("\n");
      assertThat(status(bridge, "okta")).isEqualTo(200);
    } finally {
      bridge.stop();
    }
  }

  /**
   * review-s12a F2: the new tokens are in force before the node's record of them is written; when that
   * write failed, the reload threw and serve logged that nothing was reloaded while the old token got 401.
   */
  @Test
  void aReloadWhoseTokenRecordCannotBeWrittenStandsAndSaysWhatForgetGeneratedSeesMeanwhile() {
    Bridge bridge = start(null, config("scim:\n  token_hashes: [\"" + BearerTokens.sha256Hex("old") + "\"]\n", 0));
    try {
      try (Database db = Database.open(dir.resolve("b.db"))) {
        NodeTokensTest.refuseEntryWrites(db, true);
      }

      assertThat(bridge.reload(config(OKTA_HASHES, 0))).singleElement().asString().startsWith("scim.token_hashes");

      assertThat(status(bridge, "okta")).isEqualTo(200);
      assertThat(status(bridge, "old")).isEqualTo(401);
      assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
          .singleElement().asString().startsWith("SCIM tokens reloaded, but this node's record of them could not be written")
          .contains("`token forget-generated` takes this node to accept what it recorded last ("
              + BearerTokens.prefix(BearerTokens.sha256Hex("old")) + ")");
    } finally {
      bridge.stop();
    }
  }

  /** A first run's generated token, shown (so kept), with the bridge stopped. */
  String generatedOnFirstRun() {
    Bridge firstRun = start(null);
    String token = firstRun.generatedToken().orElseThrow();
    firstRun.claimGeneratedToken();
    firstRun.stop();
    return token;
  }

  static final String OKTA_HASHES = "scim:\n  token_hashes: [\"" + BearerTokens.sha256Hex("okta") + "\"]\n";

  @Test
  void aReloadThatAddsAConfiguredTokenKeepsAcceptingTheGeneratedOne() {
    // review-s8c F1: Okta presents the generated token until the operator switches it, and does not retry a 401
    Bridge bridge = start(null);
    try {
      String generated = bridge.generatedToken().orElseThrow();
      bridge.claimGeneratedToken();
      assertThat(bridge.reload(config(OKTA_HASHES, 0))).singleElement().asString()
          .isEqualTo("scim.token_hashes (accepted: scim.token_hashes/FULCRUM_SCIM_TOKEN " + BearerTokens.prefix(BearerTokens.sha256Hex("okta"))
              + " and the token serve generated " + BearerTokens.prefix(BearerTokens.sha256Hex(generated)) + ")");
      assertThat(status(bridge, generated)).isEqualTo(200);
      assertThat(status(bridge, "okta")).isEqualTo(200);
    } finally {
      bridge.stop();
    }
  }

  @Test
  void whileTheGeneratedTokenIsAcceptedBesideConfiguredOnesEachReloadWarnsHowToStopAcceptingIt() {
    Bridge bridge = start(null);
    try {
      String generated = bridge.generatedToken().orElseThrow();
      bridge.claimGeneratedToken();
      bridge.reload(config(OKTA_HASHES, 0));
      assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).startsWith("SCIM tokens accepted: ")
              .contains("the token serve generated " + BearerTokens.prefix(BearerTokens.sha256Hex(generated)))
              .contains("stays accepted until `fulcrum-scim token forget-generated`, then `systemctl reload fulcrum-scim`"));
      assertThat(logs.events()).map(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains(generated));
    } finally {
      bridge.stop();
    }
  }

  @Test
  void aRestartWithAConfiguredTokenKeepsAcceptingTheGeneratedOneAndWarnsOfIt() {
    String generated = generatedOnFirstRun();
    Bridge bridge = start(null, config(OKTA_HASHES, 0));
    try {
      assertThat(status(bridge, generated)).isEqualTo(200);
      assertThat(status(bridge, "okta")).isEqualTo(200);
      assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).contains("token forget-generated"));
      assertThat(logs.events()).map(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains(generated));
    } finally {
      bridge.stop();
    }
  }

  /**
   * A release before 8 December 2026 stopped accepting the generated token once tokens were
   * configured, but kept its hash: after the upgrade that long unused token is not accepted again.
   */
  @Test
  void aGeneratedTokenAnEarlierReleaseStoppedAcceptingIsNotAcceptedAgain() {
    String generated = generatedOnFirstRun();
    try (Database db = Database.open(dir.resolve("b.db"))) {
      // what the earlier release left: the hash, and nothing saying the token is still accepted
      new SettingStore(db).write(Map.of("scim.generated_token_accepted", Optional.empty()));
    }
    Bridge bridge = start(null, config(OKTA_HASHES, 0));
    try {
      assertThat(status(bridge, generated)).isEqualTo(401);
      assertThat(status(bridge, "okta")).isEqualTo(200);
      bridge.reload(config(OKTA_HASHES, 0));
      assertThat(status(bridge, generated)).isEqualTo(401);
    } finally {
      bridge.stop();
    }
  }

  /** review-s8f F3: the generated token listed in scim.token_hashes is a configured one, revoked by taking it out. */
  @Test
  void theGeneratedTokenListedInTheConfigIsRevokedByTakingItOutOfTheList() {
    Bridge bridge = start(null);
    try {
      String generated = bridge.generatedToken().orElseThrow();
      bridge.claimGeneratedToken();
      bridge.reload(config("scim:\n  token_hashes: [\"" + BearerTokens.sha256Hex(generated) + "\", \""
          + BearerTokens.sha256Hex("okta") + "\"]\n", 0));
      assertThat(status(bridge, generated)).isEqualTo(200);

      bridge.reload(config(OKTA_HASHES, 0));

      assertThat(status(bridge, generated)).isEqualTo(401);
      assertThat(status(bridge, "okta")).isEqualTo(200);
    } finally {
      bridge.stop();
    }
  }

  /** A newcomer's first run on the generated token alone is told how to move off it, without a WARN. */
  @Test
  void aStartOnTheGeneratedTokenAloneSaysHowToMoveOffItWithoutAWarning() {
    Bridge bridge = start(null);
    try {
      bridge.claimGeneratedToken(); // as serve does: the line names the token kept
      assertThat(logs.events()).filteredOn(e -> e.getFormattedMessage().startsWith("SCIM tokens accepted: "))
          .singleElement().satisfies(e -> assertThat(e.getLevel()).isEqualTo(Level.INFO));
    } finally {
      bridge.stop();
    }
  }

  @Test
  void aReloadToAnEmptyListLeavesTheKeptGeneratedTokenTheOneAccepted() {
    String generated = generatedOnFirstRun();
    Bridge bridge = start(null, config(OKTA_HASHES, 0));
    try {
      bridge.reload(config("scim:\n  token_hashes: []\n", 0));
      assertThat(status(bridge, "okta")).isEqualTo(401);
      assertThat(status(bridge, generated)).isEqualTo(200);
    } finally {
      bridge.stop();
    }
  }

  @Test
  void aReloadWithNoTokenConfiguredKeepsAcceptingTheGeneratedOne() {
    Bridge bridge = start(null);
    try {
      String token = bridge.generatedToken().orElseThrow();
      bridge.claimGeneratedToken();
      assertThat(bridge.reload(config("", 0))).containsExactly("scim.token_hashes (accepted: the token serve generated "
          + BearerTokens.prefix(BearerTokens.sha256Hex(token)) + ")");
      assertThat(status(bridge, token)).isEqualTo(200);
    } finally {
      bridge.stop();
    }
  }

  @Test
  void onlyTheChangedSettingsAReloadDoesNotApplyWaitForARestartNamedAsConfigYmlSpellsThem() {
    Bridge bridge = start(ScimTestServer.TOKEN, config("logging:\n  level: INFO\n", 0));
    try {
      assertThat(bridge.restartOnly(config(OKTA_HASHES + "logging:\n  level: DEBUG\n", 0))).as("both reloaded").isEmpty();
      assertThat(bridge.restartOnly(config("logging:\n  level: INFO\nroles:\n  default: Manager\nreconcile:\n  interval: 7s\n", 0)))
          .containsExactly("reconcile.interval", "roles.default");
    } finally {
      bridge.stop();
    }
  }

  static final String FROM_ENV = "from-env-6b1e8d3f9a2c7e4b0d5f1a9c";

  @Test
  void anEnvironmentTokenMeansNothingIsGenerated() {
    Bridge bridge = start(FROM_ENV);
    try {
      assertThat(bridge.generatedToken()).isEmpty();
      assertThat(new ScimHttp(bridge.scimBaseUrl(), "Bearer " + FROM_ENV).get("/Users").status()).isEqualTo(200);
    } finally {
      bridge.stop();
    }
  }

  @Test
  void theBaseUrlNamesHostPortAndPath() {
    Bridge bridge = start(ScimTestServer.TOKEN);
    try {
      assertThat(bridge.scimBaseUrl()).isEqualTo("http://127.0.0.1:" + bridge.port() + "/scim/v2");
    } finally {
      bridge.stop();
    }
  }

  @Test
  void aScimUserReachesTheEmbeddedEmulatorWithoutWaitingForTheInterval() {
    Bridge bridge = start(ScimTestServer.TOKEN);
    try {
      ScimHttp okta = new ScimHttp(bridge.scimBaseUrl(), "Bearer " + ScimTestServer.TOKEN);
      assertThat(okta.post("/Users", """
          {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@corp.example",
           "name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"value":"ada@corp.example","primary":true}],
           "role":"Manager","active":true}""").status()).isEqualTo(201);
      FulcrumEmulator fulcrum = bridge.emulator().orElseThrow();
      await().atMost(Duration.ofSeconds(8)).untilAsserted(() ->
          assertThat(fulcrum.memberByEmail("ada@corp.example")).hasValueSatisfying(m -> {
            assertThat(m.firstName()).isEqualTo("Ada");
            assertThat(fulcrum.roles().stream().filter(r -> r.id().equals(m.roleId())).findFirst().orElseThrow().name())
                .isEqualTo("Manager");
          }));
    } finally {
      bridge.stop();
    }
  }

  @Test
  void healthAndReadinessSayTheTargetIsTheEmulator() {
    Bridge bridge = start(ScimTestServer.TOKEN);
    try {
      String root = bridge.scimBaseUrl().replace("/scim/v2", "");
      ScimHttp ops = new ScimHttp(root, "");
      assertThat(ops.get("/healthz").text()).contains("embedded Fulcrum emulator");
      ScimHttp.Response ready = ops.get("/readyz");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.text()).contains("embedded Fulcrum emulator");
      assertThat(ops.get("/metrics").text()).contains("fulcrum_scim_work");
    } finally {
      bridge.stop();
    }
  }

  @Test
  void aStopDuringAResyncWhoseFixesRetryEndsTheResyncAndReturnsPromptly() throws Exception {
    Bridge bridge = start(ScimTestServer.TOKEN);
    boolean stopped = false;
    try {
      ScimHttp okta = new ScimHttp(bridge.scimBaseUrl(), "Bearer " + ScimTestServer.TOKEN);
      okta.post("/Users", """
          {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@corp.example",
           "name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"value":"ada@corp.example","primary":true}],
           "active":true}""");
      FulcrumEmulator fulcrum = bridge.emulator().orElseThrow();
      await().atMost(Duration.ofSeconds(8)).until(() -> fulcrum.memberByEmail("ada@corp.example").isPresent());
      try (HttpFulcrumClient byHand = new HttpFulcrumClient(FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(), 10_000,
          Duration.ofSeconds(5), Duration.ofSeconds(5)), new SimpleMeterRegistry(), Clock.systemUTC(), Sleeper.REAL,
          FulcrumCallListener.NONE)) {
        byHand.updateMember(fulcrum.memberByEmail("ada@corp.example").orElseThrow().id(), new MemberFields(null, "Adda", null, null));
      }
      fulcrum.faults().latency(Duration.ofMillis(500)); // faults are drawn after the latency: time to turn them on
      try (Database db = Database.open(StoreLocations.of(config("", 0).storage()))) {
        RequestStore requests = new RequestStore(db, Clock.systemUTC());
        long id = requests.submit(OperatorRequest.Kind.RESYNC, null, false);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
            .until(() -> requests.get(id).map(OperatorRequest::planText).isPresent());
        fulcrum.faults().latency(Duration.ZERO).errorShare(1.0); // the fix fails: its key waits seconds for a retry
        await().atMost(Duration.ofSeconds(10)).until(() -> new OpsStore(db).count(WorkState.RETRYING) > 0);

        long began = System.nanoTime();
        bridge.stop();
        stopped = true;
        Duration took = Duration.ofNanos(System.nanoTime() - began);

        assertThat(took).as("systemd kills a stop after TimeoutStopSec=60").isLessThan(Duration.ofSeconds(10));
        assertThat(requests.get(id).orElseThrow().answer().err()).contains("resync interrupted: the daemon stopped this resync");
      }
    } finally {
      if (!stopped) {
        bridge.stop();
      }
    }
  }

  @Test
  void aRefusedTokenIsCountedUnderTheRouteItWasSentTo() {
    Bridge bridge = start(ScimTestServer.TOKEN);
    try {
      assertThat(new ScimHttp(bridge.scimBaseUrl(), "Bearer wrong").get("/Users/u-1").status()).isEqualTo(401);
      ScimHttp ops = new ScimHttp(bridge.scimBaseUrl().replace("/scim/v2", ""), "");
      assertThat(ops.get("/metrics").text())
          .contains("fulcrum_scim_requests_seconds_count{method=\"GET\",route=\"/scim/v2/Users/{id}\",status=\"401\"} 1")
          .doesNotContain("route=\"unmatched\"");
    } finally {
      bridge.stop();
    }
  }

  @Test
  void theDaemonCountsItsConfirmingReReadsOfFulcrum() {
    Bridge bridge = start(ScimTestServer.TOKEN);
    try {
      ScimHttp ops = new ScimHttp(bridge.scimBaseUrl().replace("/scim/v2", ""), "");
      assertThat(ops.get("/metrics").text()).contains("reconcile_rereads_total 0.0");
    } finally {
      bridge.stop();
    }
  }
}
