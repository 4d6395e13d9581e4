package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.scim.BearerTokens;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * review-s8f F5: two nodes started at once on one fresh PostgreSQL database with no SCIM token
 * configured each generate one. The first kept must be the one both accept, and only its node may
 * show a token: before, each wrote its hash over the other's, and one node had shown a token that
 * no later start accepted while the two nodes accepted different ones.
 */
@RequiresPostgres
class GeneratedTokenOnTwoNodesOnPostgresTest {
  final TestStore store = TestStore.freshPostgres();
  final ExecutorService pool = Executors.newFixedThreadPool(2);
  final List<Bridge> started = new ArrayList<>();
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @AfterEach
  void stop() {
    pool.shutdownNow();
    started.forEach(Bridge::stop);
  }

  /** A node on the shared database, FULCRUM_SCIM_TOKEN unset and nothing in scim.token_hashes. */
  Bridge node() {
    BridgeConfig config = ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", store.yaml()), 0);
    Bridge bridge = new Bridge(config, n -> null, Clock.systemUTC(), new SecureRandom(), Bridge.Mode.RECEIVER_ONLY).start();
    synchronized (started) {
      started.add(bridge);
    }
    return bridge;
  }

  /** Both at the same instant, their answers in the order given. */
  <T> List<T> atOnce(Supplier<T> first, Supplier<T> second) throws Exception {
    CyclicBarrier together = new CyclicBarrier(2);
    CompletableFuture<T> one = CompletableFuture.supplyAsync(() -> { await(together); return first.get(); }, pool);
    CompletableFuture<T> two = CompletableFuture.supplyAsync(() -> { await(together); return second.get(); }, pool);
    return List.of(one.get(), two.get());
  }

  static void await(CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static int status(Bridge bridge, String token) {
    return new ScimHttp(bridge.scimBaseUrl(), "Bearer " + token).get("/Users").status();
  }

  /**
   * Review-s10c S4: the node whose generated token is not kept logged it as accepted at its start,
   * a token never shown, kept nor accepted; each node names the kept one, once claimed.
   */
  @Test
  void theNodeWhoseTokenIsNotKeptNamesTheKeptOneAsAcceptedAndNeverItsOwn() throws Exception {
    List<Bridge> nodes = atOnce(this::node, this::node);
    List<String> generated = nodes.stream().map(n -> BearerTokens.sha256Hex(n.generatedToken().orElseThrow())).toList();

    List<GeneratedTokenClaim> claims = atOnce(() -> nodes.get(0).claimGeneratedToken().orElseThrow(),
        () -> nodes.get(1).claimGeneratedToken().orElseThrow());

    int winner = claims.get(0) instanceof GeneratedTokenClaim.Mine ? 0 : 1;
    List<String> accepted = logs.events().stream().map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.startsWith("SCIM tokens accepted: ")).toList();
    assertThat(accepted).hasSize(2).allSatisfy(line -> assertThat(line)
        .startsWith("SCIM tokens accepted: the token serve generated " + BearerTokens.prefix(generated.get(winner))));
  }

  @Test
  void twoNodesStartedAtOnceAcceptTheOneTokenKeptFirstAndOnlyItsNodeShowsIt() throws Exception {
    List<Bridge> nodes = atOnce(this::node, this::node);
    List<String> generated = nodes.stream().map(n -> n.generatedToken().orElseThrow()).toList();

    List<GeneratedTokenClaim> claims = atOnce(() -> nodes.get(0).claimGeneratedToken().orElseThrow(),
        () -> nodes.get(1).claimGeneratedToken().orElseThrow());

    assertThat(claims).filteredOn(GeneratedTokenClaim.Mine.class::isInstance).singleElement();
    int winner = claims.get(0) instanceof GeneratedTokenClaim.Mine ? 0 : 1;
    String kept = generated.get(winner);
    String lost = generated.get(1 - winner);
    assertThat(claims.get(1 - winner)).isEqualTo(new GeneratedTokenClaim.AnotherNodes(BearerTokens.sha256Hex(kept)));
    assertThat(claims.get(1 - winner).line()).startsWith("No SCIM token shown here: another node").doesNotContain(kept);
    assertThat(nodes.get(1 - winner).generatedToken()).isEmpty();
    for (Bridge node : nodes) {
      assertThat(status(node, kept)).isEqualTo(200);
      assertThat(status(node, lost)).isEqualTo(401);
    }
    Bridge restarted = node();
    assertThat(restarted.generatedToken()).as("kept: not generated again").isEmpty();
    assertThat(status(restarted, kept)).isEqualTo(200);
    assertThat(status(restarted, lost)).isEqualTo(401);
  }
}
