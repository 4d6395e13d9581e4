package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.app.ScimTokens;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.control.WriterLease;
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
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code token forget-generated} with nothing in scim.token_hashes, while serve runs on two nodes
 * of one PostgreSQL database, each with its own environment: behind a balancer either node takes
 * Okta's requests, so the generated token may go only when one token, of a node's own
 * scim.token_hashes or FULCRUM_SCIM_TOKEN, is accepted by every running node.
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
    return node(envToken, nodeConfig(""));
  }

  Bridge node(String envToken, BridgeConfig config) {
    Bridge bridge = new Bridge(config, n -> n.equals(Bridge.SCIM_TOKEN_ENV) ? envToken : null, Clock.systemUTC(),
        new SecureRandom()).start();
    started.add(bridge);
    return bridge;
  }

  /** A node's own config, {@code more} added: each node of a cluster has its own. */
  BridgeConfig nodeConfig(String more) {
    return ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", store.yaml()
        + "fulcrum:\n  calls_per_hour: 3600000\n" + more), 0);
  }

  static String listing(String token) {
    return "scim:\n  token_hashes: [\"" + BearerTokens.sha256Hex(token) + "\"]\n";
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
    assertThat(err.toString()).contains("is accepted by every running serve", " none",
        BearerTokens.prefix(BearerTokens.sha256Hex(OWN)), "nothing was changed");
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
    assertThat(out.toString()).contains("Okta must present another token by then", "from then on only "
        + BearerTokens.prefix(BearerTokens.sha256Hex(OWN)) + ", accepted by every running serve");
    assertThat(kept()).isEmpty();
  }

  /** Review-s11d F2: the command's config lists a token, another node's config does not and its environment is empty. */
  @Test
  void aNodeWhoseOwnConfigLacksTheTokenTheCommandsConfigListsKeepsTheGeneratedOne() throws Exception {
    node(null, nodeConfig(listing(OWN)));
    node(null);
    Files.writeString(config, listing(OWN), StandardOpenOption.APPEND);

    assertThat(forget()).as(out.toString()).isEqualTo(1);
    assertThat(err.toString()).contains(" none", "nothing was changed");
    assertThat(kept()).isPresent();
  }

  @Test
  void aTokenOneNodesConfigListsAndTheOthersEnvironmentHoldsLetsTheGeneratedOneGo() {
    node(null, nodeConfig(listing(OWN)));
    node(OWN);

    assertThat(forget()).as(err.toString()).isZero();
    assertThat(kept()).isEmpty();
  }

  @Test
  void aNodeThatReloadedWithTheTokenListedCountsIt() {
    node(OWN);
    Bridge reloaded = node(null);
    reloaded.reload(nodeConfig(listing(OWN)));

    assertThat(forget()).as(err.toString()).isZero();
    assertThat(kept()).isEmpty();
  }

  /** Review-s11d F3: a leader of an older release records nothing; the other nodes' entries do not speak for it. */
  @Test
  void theNodeHoldingTheWriterLeaseWithoutAnEntryKeepsTheGeneratedOne() {
    node(OWN);
    node(OWN);
    String leader;
    try (Database db = Database.open(store.location())) {
      leader = new WriterLease(db, Clock.systemUTC(), WriterLease.Role.COMMAND).current().orElseThrow().holder();
      SettingStore settings = new SettingStore(db);
      settings.keysStartingWith("scim.node_tokens.").stream().filter(key -> key.endsWith("/" + leader))
          .forEach(key -> settings.write(Map.of(key, Optional.empty())));
    }

    assertThat(forget()).as(out.toString()).isEqualTo(1);
    assertThat(err.toString()).contains("(" + leader + ") has not recorded", "nothing was changed");
    assertThat(kept()).isPresent();
  }
}
