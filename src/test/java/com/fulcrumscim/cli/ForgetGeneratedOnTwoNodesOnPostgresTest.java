package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.app.ScimTokens;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.scim.BearerTokens;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code token forget-generated} with nothing in scim.token_hashes, while serve runs on two nodes
 * of one PostgreSQL database, each with its own environment: behind a balancer either node takes
 * Okta's requests, so the generated token may go only when every running node's environment holds
 * the same FULCRUM_SCIM_TOKEN.
 */
@RequiresPostgres
class ForgetGeneratedOnTwoNodesOnPostgresTest {
  static final String OWN = "the-services-own-scim-token-0123456789";
  static final String OTHER = "another-services-own-scim-token-987654";

  @TempDir Path dir;
  final TestStore store = TestStore.freshPostgres();
  final List<Bridge> started = new ArrayList<>();
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  Path config;

  @BeforeEach
  void aTokenGeneratedOnTheFirstStart() throws Exception {
    config = Files.writeString(dir.resolve("config.yml"), store.yaml() + "fulcrum:\n  calls_per_hour: 3600000\n");
    Bridge first = node(null);
    first.claimGeneratedToken().orElseThrow();
    first.stop();
  }

  @AfterEach
  void stop() {
    started.forEach(Bridge::stop);
  }

  /** A serve node on the shared database, FULCRUM_SCIM_TOKEN in its environment {@code envToken} (null: unset). */
  Bridge node(String envToken) {
    BridgeConfig parsed = ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", store.yaml()
        + "fulcrum:\n  calls_per_hour: 3600000\n"), 0);
    Bridge bridge = new Bridge(parsed, n -> n.equals(Bridge.SCIM_TOKEN_ENV) ? envToken : null, Clock.systemUTC(),
        new SecureRandom()).start();
    started.add(bridge);
    return bridge;
  }

  int forget() {
    return new CommandLine(Main.class).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
        .execute("token", "forget-generated", "--config", config.toString());
  }

  Optional<String> kept() {
    try (Database db = Database.open(store.location())) {
      return ScimTokens.kept(new SettingStore(db));
    }
  }

  @Test
  void aRunningNodeWithoutTheTokenInItsEnvironmentKeepsTheGeneratedOne() {
    node(OWN);
    node(null);

    assertThat(forget()).as(err.toString()).isEqualTo(1);
    assertThat(err.toString()).contains("is not one token set in the environment of every running serve",
        "not set", BearerTokens.prefix(BearerTokens.sha256Hex(OWN)), "nothing was changed");
    assertThat(kept()).isPresent();
  }

  @Test
  void nodesWhoseEnvironmentsHoldDifferentTokensKeepTheGeneratedOne() {
    node(OWN);
    node(OTHER);

    assertThat(forget()).as(err.toString()).isEqualTo(1);
    assertThat(kept()).isPresent();
  }

  @Test
  void onceTheNodeWithoutTheTokenStoppedTheGeneratedOneIsForgotten() {
    node(OWN);
    node(null).stop();

    assertThat(forget()).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Okta must present another token by then", "from then on only " + Bridge.SCIM_TOKEN_ENV + " "
        + BearerTokens.prefix(BearerTokens.sha256Hex(OWN)) + ", set in the environment of every running serve");
    assertThat(kept()).isEmpty();
  }
}
