package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeTest {
  @TempDir Path dir;

  Bridge start(String envToken) {
    BridgeConfig config = ScimTestServer.withPort(
        new ConfigLoader(n -> null).parse("test", "storage:\n  path: " + dir.resolve("b.db") + "\n"), 0);
    return new Bridge(config, n -> n.equals("FULCRUM_SCIM_TOKEN") ? envToken : null, Clock.systemUTC(),
        new SecureRandom()).start();
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
}
