package com.fulcrumscim.fulcrum;

import static com.fulcrumscim.fulcrum.ClientFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.testing.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The last look before a request's bytes leave: {@link BeforeSend#onWire} runs once the connection
 * stands (connecting may outlast a fence), and a refusal there sends nothing.
 */
class OnWireTest extends MockFulcrumTest {
  final List<String> onWire = new CopyOnWriteArrayList<>();
  volatile boolean fenced;
  HttpFulcrumClient gated;

  @BeforeEach
  void gatedClient() {
    FulcrumSettings settings = FulcrumSettings.of(server.url("/").toString(), ClientFixture.TOKEN, 3_600_000,
        Duration.ofSeconds(5), Duration.ofSeconds(5));
    gated = new HttpFulcrumClient(settings, new SimpleMeterRegistry(), new SettableClock(), d -> {},
        FulcrumCallListener.NONE, new BeforeSend() {
          @Override
          public void check(String endpoint) {}

          @Override
          public void onWire(String endpoint) {
            onWire.add(endpoint);
            if (fenced && !endpoint.startsWith("GET ")) {
              throw new FulcrumException.Unavailable(endpoint, "not sent: fenced", null);
            }
          }
        });
  }

  @AfterEach
  void closeGated() {
    gated.close();
  }

  @Test
  void aWriteRefusedOnTheWireIsNeverSent() {
    fenced = true;
    server.enqueue(json(201, "{\"membership\":{\"id\":\"m-1\",\"email\":\"ada@x.example\"}}"));

    assertThatThrownBy(() -> gated.createMember(new MemberFields("ada@x.example", "Ada", null, null)))
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("not sent: fenced");
    assertThat(server.getRequestCount()).isZero();
    assertThat(onWire).containsExactly("POST /api/v2/memberships.json");
  }

  @Test
  void refusalsOnTheWireDoNotOpenTheCircuit() {
    fenced = true;
    for (int i = 0; i < 20; i++) {
      assertThatThrownBy(() -> gated.renameGroup("g-1", "x")).isInstanceOf(FulcrumException.Unavailable.class);
    }
    assertThat(gated.circuitOpen()).isFalse();
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void readsAndUnfencedWritesPassTheLastLook() {
    server.enqueue(json(200, "{\"roles\":[]}"));
    server.enqueue(json(201, "{\"membership\":{\"id\":\"m-1\",\"email\":\"ada@x.example\"}}"));

    assertThat(gated.roles()).isEmpty();
    gated.createMember(new MemberFields("ada@x.example", "Ada", null, null));

    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(onWire).containsExactly("GET /api/v2/roles.json", "POST /api/v2/memberships.json");
  }
}
