package com.fulcrumscim.fulcrum;

import static com.fulcrumscim.fulcrum.ClientFixture.TOKEN;
import static com.fulcrumscim.fulcrum.ClientFixture.json;
import static com.fulcrumscim.fulcrum.ClientFixture.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The API token never leaves the auth header: not in messages, logs, toString or metrics. */
class TokenSecrecyTest {
  @StartStop final MockWebServer server = new MockWebServer();
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  Level rootLevel;
  ClientFixture fx;

  @BeforeEach
  void setUp() {
    rootLevel = root.getLevel();
    root.setLevel(Level.DEBUG);
    logs.start();
    root.addAppender(logs);
    fx = new ClientFixture(server);
  }

  @AfterEach
  void tearDown() {
    fx.close();
    root.detachAppender(logs);
    root.setLevel(rootLevel);
  }

  /** Every message and cause message of {@code t}, plus its toString. */
  private static List<String> texts(Throwable t) {
    List<String> texts = new ArrayList<>();
    for (Throwable c = t; c != null; c = c.getCause()) {
      texts.add(String.valueOf(c.getMessage()));
      texts.add(c.toString());
    }
    return texts;
  }

  @Test
  void noFailureClassNamesTheToken() {
    server.enqueue(json(401, "{\"error\":\"Unauthorized\"}"));
    server.enqueue(status(403));
    server.enqueue(json(422, "{\"membership\":{\"errors\":{\"email\":[\"has already been taken\"]}}}"));
    server.enqueue(status(404));
    server.enqueue(new MockResponse(429, okhttp3.Headers.of("Retry-After", "1"), ""));
    server.enqueue(status(503));
    server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    MemberFields bob = new MemberFields("bob@example.com", null, null, null);
    List<Throwable> failures = new ArrayList<>();
    failures.add(catchThrowable(() -> fx.client.createMember(bob)));
    failures.add(catchThrowable(() -> fx.client.createMember(bob)));
    failures.add(catchThrowable(() -> fx.client.createMember(bob)));
    failures.add(catchThrowable(() -> fx.client.updateMember("m-1", bob)));
    failures.add(catchThrowable(() -> fx.client.createMember(bob)));
    fx.clock.tick(Duration.ofSeconds(2));
    failures.add(catchThrowable(() -> fx.client.createMember(bob)));
    failures.add(catchThrowable(() -> fx.client.createMember(bob)));
    assertThat(failures).extracting(Object::getClass).containsExactly(
        FulcrumException.Unauthorized.class, FulcrumException.Forbidden.class, FulcrumException.Rejected.class,
        FulcrumException.NotFound.class, FulcrumException.RateLimited.class, FulcrumException.Unavailable.class,
        FulcrumException.Unavailable.class);
    assertThat(failures).flatExtracting(TokenSecrecyTest::texts).noneMatch(text -> text.contains(TOKEN));
  }

  @Test
  void aTokenEchoedBackInAnErrorBodyIsRedacted() {
    server.enqueue(json(422, "{\"errors\":\"token " + TOKEN + " may not create members\"}"));
    assertThatThrownBy(() -> fx.client.createGroup("G", null))
        .isInstanceOf(FulcrumException.Rejected.class)
        .hasMessageContaining("token <redacted> may not")
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void retriesAndTheCircuitLogWithoutTheToken() {
    for (int i = 0; i < 10; i++) {
      server.enqueue(status(503));
    }
    for (int i = 0; i < 4; i++) {
      catchThrowable(fx.client::roles);
    }
    assertThat(logs.list).isNotEmpty();
    assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains(TOKEN));
  }

  @Test
  void metricsCarryNoToken() {
    server.enqueue(json(200, "{\"roles\":[]}"));
    server.enqueue(json(401, "{}"));
    fx.client.roles();
    catchThrowable(() -> fx.client.member("m-1"));
    assertThat(fx.registry.scrape()).contains("fulcrum_scim_fulcrum_calls_total").doesNotContain(TOKEN);
  }

  @Test
  void neitherTheClientNorItsSettingsPrintTheToken() {
    FulcrumSettings settings = FulcrumSettings.of("https://api.fulcrumapp.com", TOKEN, 5000,
        Duration.ofSeconds(10), Duration.ofSeconds(30));
    assertThat(settings.toString()).doesNotContain(TOKEN).contains("<redacted>");
    assertThat(fx.client.toString()).doesNotContain(TOKEN);
  }

  @Test
  void aTokenAHeaderCannotCarryIsRefusedWithoutQuotingIt() {
    assertThatThrownBy(() -> new ApiToken("abc\ndef-secret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("secret");
  }
}
