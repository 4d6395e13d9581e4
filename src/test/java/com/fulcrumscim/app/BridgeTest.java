package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import ch.qos.logback.classic.Level;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class BridgeTest {
  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  Bridge start(String envToken) {
    BridgeConfig config = ScimTestServer.withPort(
        new ConfigLoader(n -> null).parse("test", "storage:\n  path: " + dir.resolve("b.db") + "\n"), 0);
    return new Bridge(config, n -> n.equals("FULCRUM_SCIM_TOKEN") ? envToken : null, Clock.systemUTC(),
        new SecureRandom()).start();
  }

  @Test
  void aReassignTargetFulcrumDoesNotKnowIsLoggedAndTheBridgeStillTakesOktasChanges() {
    // Refusing to start would stop intake too; removals leave records unassigned instead (`check` fails on it).
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0)) {
      BridgeConfig config = ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", "storage:\n  path: "
          + dir.resolve("b.db") + "\nfulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token()
          + "\nusers:\n  reassign_records_to: m-nope\n"), 0);
      Bridge bridge = new Bridge(config, n -> n.equals("FULCRUM_SCIM_TOKEN") ? "t" : null, Clock.systemUTC(),
          new SecureRandom()).start();
      try {
        assertThat(logs.events()).anySatisfy(e -> {
          assertThat(e.getLevel()).isEqualTo(Level.ERROR);
          assertThat(e.getFormattedMessage()).contains("users.reassign_records_to: Fulcrum has no membership with id 'm-nope'")
              .endsWith("until then removed members' records stay unassigned");
        });
        assertThat(new ScimHttp(bridge.scimBaseUrl(), "Bearer t").get("/Users").status()).isEqualTo(200);
      } finally {
        bridge.stop();
      }
    }
  }

  @Test
  void withNoTokenConfiguredAGeneratedOneWorksAndSurvivesARestart() {
    Bridge first = start(null);
    String token = first.generatedToken().orElseThrow();
    assertThat(new ScimHttp(first.scimBaseUrl(), "Bearer " + token).get("/Users").status()).isEqualTo(200);
    first.stop();
    Bridge second = start(null);
    try {
      assertThat(second.generatedToken()).as("shown only once").isEmpty();
      assertThat(new ScimHttp(second.scimBaseUrl(), "Bearer " + token).get("/Users").status()).isEqualTo(200);
    } finally {
      second.stop();
    }
  }

  @Test
  void anEnvironmentTokenMeansNothingIsGenerated() {
    Bridge bridge = start("from-env");
    try {
      assertThat(bridge.generatedToken()).isEmpty();
      assertThat(new ScimHttp(bridge.scimBaseUrl(), "Bearer from-env").get("/Users").status()).isEqualTo(200);
    } finally {
      bridge.stop();
    }
  }

  @Test
  void theBaseUrlNamesHostPortAndPath() {
    Bridge bridge = start("t");
    try {
      assertThat(bridge.scimBaseUrl()).isEqualTo("http://127.0.0.1:" + bridge.port() + "/scim/v2");
    } finally {
      bridge.stop();
    }
  }

  @Test
  void aScimUserReachesTheEmbeddedEmulatorWithoutWaitingForTheInterval() {
    Bridge bridge = start("t");
    try {
      ScimHttp okta = new ScimHttp(bridge.scimBaseUrl(), "Bearer t");
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
    Bridge bridge = start("t");
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
  void theDaemonCountsItsConfirmingReReadsOfFulcrum() {
    Bridge bridge = start("t");
    try {
      ScimHttp ops = new ScimHttp(bridge.scimBaseUrl().replace("/scim/v2", ""), "");
      assertThat(ops.get("/metrics").text()).contains("reconcile_rereads_total 0.0");
    } finally {
      bridge.stop();
    }
  }
}
