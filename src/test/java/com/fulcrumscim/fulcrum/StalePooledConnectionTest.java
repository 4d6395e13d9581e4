package com.fulcrumscim.fulcrum;

import static com.fulcrumscim.fulcrum.ClientFixture.dropConnection;
import static com.fulcrumscim.fulcrum.ClientFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.testing.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.Test;

/**
 * A kept-alive connection the server closed while it sat idle in the pool (review-s15a F2): a
 * read on it fails at once, and must cost neither an attempt nor a resync; a create on it is never
 * sent twice, and a Fulcrum that is really down still fails as before.
 */
class StalePooledConnectionTest extends MockFulcrumTest {
  private static final String ROLES = "{\"roles\":[{\"id\":\"r-1\",\"name\":\"Owner\"}],\"current_page\":1,\"total_pages\":1}";

  /** An answer after which the server closes the connection, as one does at its idle timeout. */
  private static MockResponse thenIdleClose(MockResponse answer) {
    return answer.newBuilder().onResponseEnd(new SocketEffect.CloseSocket()).build();
  }

  @Test
  void aReadOnAConnectionClosedWhileIdleSucceedsWithoutSpendingAnAttempt() {
    server.enqueue(thenIdleClose(json(200, ROLES)));
    server.enqueue(json(200, ROLES));
    client.roles();

    assertThat(client.roles()).extracting(FulcrumRole::id).containsExactly("r-1");
    assertThat(fx.sleeps).isEmpty();
    assertThat(fx.calls).extracting(ClientFixture.Call::status).containsExactly("200", "200");
  }

  /**
   * The failed request may have reached Fulcrum, only its answer lost: the one sent again is a call
   * of its own in the shared budget, which counts at least what Fulcrum counted (a failover run
   * counted 59 of 60 calls Fulcrum answered).
   */
  @Test
  void aReadSentAgainOnANewConnectionIsCountedInTheSharedBudgetAgain() {
    List<String> counted = new CopyOnWriteArrayList<>();
    FulcrumSettings settings = FulcrumSettings.of(server.url("/").toString(), ClientFixture.TOKEN, 3_600_000,
        Duration.ofSeconds(5), Duration.ofSeconds(5));
    try (HttpFulcrumClient budgeted = new HttpFulcrumClient(settings, new SimpleMeterRegistry(),
        new SettableClock(), d -> {}, FulcrumCallListener.NONE, new BeforeSend() {
          @Override
          public void check(String endpoint) {
            counted.add(endpoint);
          }
        })) {
      server.enqueue(thenIdleClose(json(200, ROLES)));
      server.enqueue(json(200, ROLES));
      budgeted.roles();

      assertThat(budgeted.roles()).extracting(FulcrumRole::id).containsExactly("r-1");
      assertThat(counted).hasSize(3).hasSizeGreaterThanOrEqualTo(server.getRequestCount());
    }
  }

  @Test
  void aReadSucceedsWhenEveryPooledConnectionWasClosedWhileIdle() {
    int pooled = 3; // the retry's attempts: each took the next closed one, and the read failed
    List<CompletableFuture<List<FulcrumRole>>> together = new ArrayList<>();
    for (int i = 0; i < pooled; i++) {
      server.enqueue(thenIdleClose(json(200, ROLES).newBuilder().headersDelay(300, TimeUnit.MILLISECONDS).build()));
      together.add(CompletableFuture.supplyAsync(client::roles));
    }
    together.forEach(CompletableFuture::join);
    assertThat(server.getRequestCount()).isEqualTo(pooled);
    server.enqueue(json(200, ROLES));

    assertThat(client.roles()).extracting(FulcrumRole::id).containsExactly("r-1");
    assertThat(fx.calls).extracting(ClientFixture.Call::status).containsOnly("200").hasSize(pooled + 1);
  }

  @Test
  void aCreateWhoseConnectionClosedAfterItsRequestArrivedIsSentOnce() {
    server.enqueue(json(200, ROLES));
    server.enqueue(dropConnection());
    server.enqueue(json(201, "{\"group\":{\"id\":\"g-1\",\"name\":\"G\",\"member_ids\":[]}}"));
    client.roles();

    assertThatThrownBy(() -> client.createGroup("G", null))
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("connection failed");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aServerThatDropsEveryRequestStillFailsAReadAfterTheUsualAttempts() {
    server.enqueue(json(200, ROLES));
    for (int i = 0; i < 5; i++) {
      server.enqueue(dropConnection());
    }
    client.roles();

    assertThatThrownBy(client::roles).isInstanceOf(FulcrumException.Unavailable.class);
    // the pooled connection's failure was sent again at once; the three attempts each failed as before
    assertThat(server.getRequestCount()).isEqualTo(1 + 1 + 3);
    assertThat(fx.sleeps).hasSize(2);
  }
}
