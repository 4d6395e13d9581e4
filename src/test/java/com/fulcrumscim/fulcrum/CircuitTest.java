package com.fulcrumscim.fulcrum;

import static com.fulcrumscim.fulcrum.ClientFixture.json;
import static com.fulcrumscim.fulcrum.ClientFixture.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/** The circuit breaker: opens on sustained unavailability only, and closes when Fulcrum answers. */
class CircuitTest extends MockFulcrumTest {
  private void answerEverything(MockResponse response) {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return response;
      }
    });
  }

  /** Three attempts per read: the fourth read's first 503 is the tenth, enough for the breaker to judge. */
  private void failFourReads() {
    answerEverything(status(503));
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(client::roles).isInstanceOf(FulcrumException.Unavailable.class);
    }
  }

  @Test
  void sustained5xxOpensTheCircuitAndCallsThenFailWithoutReachingFulcrum() {
    failFourReads();
    assertThat(client.circuitOpen()).isTrue();
    int before = server.getRequestCount();
    assertThatThrownBy(client::groups)
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("circuit open");
    assertThat(server.getRequestCount()).isEqualTo(before);
  }

  @Test
  void theCircuitClosesAgainOnceFulcrumAnswersAfterTheWait() {
    failFourReads();
    fx.clock.tick(Duration.ofSeconds(31));
    assertThat(client.circuitOpen()).isFalse();
    answerEverything(json(200, "{\"roles\":[]}"));
    for (int i = 0; i < 4; i++) {
      assertThat(client.roles()).isEmpty();
    }
    assertThat(client.circuitOpen()).isFalse();
  }

  @Test
  void rejectionsDoNotOpenTheCircuit() {
    answerEverything(json(422, "{\"errors\":\"no\"}"));
    for (int i = 0; i < 20; i++) {
      assertThatThrownBy(() -> client.renameGroup("g-1", "x")).isInstanceOf(FulcrumException.Rejected.class);
    }
    assertThat(client.circuitOpen()).isFalse();
  }

  @Test
  void retriesStopOnceTheCircuitOpens() {
    failFourReads();
    assertThat(server.getRequestCount()).isEqualTo(10);
    assertThat(fx.sleeps).hasSize(6);
  }
}
