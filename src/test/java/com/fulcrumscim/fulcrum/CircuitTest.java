package com.fulcrumscim.fulcrum;

import static com.fulcrumscim.fulcrum.ClientFixture.json;
import static com.fulcrumscim.fulcrum.ClientFixture.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
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

  private static MockResponse proxyPage(int code) {
    return new MockResponse(code, Headers.of("Content-Type", "text/html"), "<html><body>403 blocked by WAF rule</body></html>");
  }

  /** A WAF rule refusing every DELETE with its own page must not pause the creates and reads that work. */
  @Test
  void writesAProxyRefusesWithItsOwnPageDoNotOpenTheCircuit() {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return "DELETE".equals(request.getMethod()) ? proxyPage(404)
            : "POST".equals(request.getMethod()) ? json(201, "{\"group\":{\"id\":\"g-new\",\"name\":\"Crew\"}}")
            : json(200, "{\"roles\":[]}");
      }
    });
    for (int i = 0; i < 20; i++) {
      assertThatThrownBy(() -> client.deleteMember("m-1", null)).isInstanceOf(FulcrumException.Unavailable.class);
      assertThatThrownBy(() -> client.deleteGroup("g-1")).isInstanceOf(FulcrumException.Unavailable.class);
    }
    assertThat(client.circuitOpen()).isFalse();
    assertThat(client.createGroup("Crew", null).id()).isEqualTo("g-new");
    assertThat(client.roles()).isEmpty();
  }

  /** A front end that lost Fulcrum altogether answers its reads with its page too: that opens the circuit. */
  @Test
  void readsAnsweredByAPageFromInFrontOfFulcrumOpenTheCircuit() {
    answerEverything(proxyPage(404));
    for (int i = 0; i < 10; i++) {
      String id = "m-" + i;
      assertThatThrownBy(() -> client.member(id)).isInstanceOf(FulcrumException.Unavailable.class);
    }
    assertThat(client.circuitOpen()).isTrue();
    int before = server.getRequestCount();
    assertThatThrownBy(() -> client.deleteMember("m-1", null)).hasMessageContaining("circuit open");
    assertThat(server.getRequestCount()).isEqualTo(before);
  }
}
