package com.fulcrumscim.fulcrum;

import static com.fulcrumscim.fulcrum.ClientFixture.dropConnection;
import static com.fulcrumscim.fulcrum.ClientFixture.json;
import static com.fulcrumscim.fulcrum.ClientFixture.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import com.fulcrumscim.testing.CapturedLogs;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import mockwebserver3.MockResponse;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every failure Fulcrum (or the network) can produce, as the one exception type it means. */
class HttpFulcrumClientFailureTest extends MockFulcrumTest {
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  static final MemberFields ALICE = new MemberFields("alice@example.com", "Alice", "Liddell", null);

  private static MockResponse withRetryAfter(String value) {
    return new MockResponse(429, Headers.of("Retry-After", value), "");
  }

  @Test
  void a401IsUnauthorized() {
    server.enqueue(json(401, "{\"error\":\"Unauthorized\"}"));
    assertThatThrownBy(client::roles)
        .isInstanceOf(FulcrumException.Unauthorized.class)
        .hasMessageStartingWith("GET /api/v2/roles.json: 401");
  }

  @Test
  void a401OnPageTwoOfAMemberWalkIsUnauthorizedAndReturnsNothingPartial() {
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-1\"}],\"current_page\":1,\"total_pages\":3}"));
    server.enqueue(json(401, "{\"error\":\"Unauthorized\"}"));
    assertThatThrownBy(client::members).isInstanceOf(FulcrumException.Unauthorized.class);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void a401IsNeverRetried() {
    server.enqueue(json(401, "{\"error\":\"Unauthorized\"}"));
    assertThatThrownBy(() -> client.member("m-1")).isInstanceOf(FulcrumException.Unauthorized.class);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void a403IsForbidden() {
    server.enqueue(json(403, "{\"error\":\"You do not have permission to manage groups\"}"));
    FulcrumException.Forbidden e = catchThrowableOfType(FulcrumException.Forbidden.class, () -> client.createGroup("G", null));
    assertThat(e.status()).isEqualTo(403);
    assertThat(e).hasMessageContaining("You do not have permission to manage groups");
  }

  @Test
  void a402IsForbidden() {
    server.enqueue(status(402));
    FulcrumException.Forbidden e = catchThrowableOfType(FulcrumException.Forbidden.class, client::groups);
    assertThat(e.status()).isEqualTo(402);
  }

  @Test
  void a422CarriesFulcrumsOwnFieldMessage() {
    server.enqueue(json(422, "{\"membership\":{\"errors\":{\"email\":[\"has already been taken\"]}}}"));
    FulcrumException.Rejected e = catchThrowableOfType(FulcrumException.Rejected.class, () -> client.createMember(ALICE));
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.detail()).isEqualTo("email has already been taken");
  }

  @Test
  void a422WithAPlainErrorsStringCarriesIt() {
    server.enqueue(json(422, "{\"errors\":\"One or more membership ids are invalid\"}"));
    FulcrumException.Rejected e = catchThrowableOfType(FulcrumException.Rejected.class,
        () -> client.changeGroupMembers("g-1", List.of("m-x"), List.of()));
    assertThat(e.detail()).isEqualTo("One or more membership ids are invalid");
  }

  @Test
  void a400WithAnErrorKeyIsRejectedWithIt() {
    server.enqueue(json(400, "{\"error\":\"Bad Request\",\"status\":400}"));
    FulcrumException.Rejected e = catchThrowableOfType(FulcrumException.Rejected.class,
        () -> client.updateMember("m-1", new MemberFields(null, null, null, "r-x")));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.detail()).isEqualTo("Bad Request");
  }

  @Test
  void aRejectionWithoutABodySaysSo() {
    server.enqueue(status(409));
    FulcrumException.Rejected e = catchThrowableOfType(FulcrumException.Rejected.class, () -> client.renameGroup("g-1", "x"));
    assertThat(e.detail()).isEqualTo("HTTP 409 without detail");
  }

  @Test
  void aRejectionIsNeverRetried() {
    server.enqueue(json(422, "{\"errors\":\"nope\"}"));
    assertThatThrownBy(() -> client.renameGroup("g-1", "x")).isInstanceOf(FulcrumException.Rejected.class);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void a404OnAnUpdateIsNotFound() {
    server.enqueue(json(404, "{}"));
    assertThatThrownBy(() -> client.updateMember("m-gone", new MemberFields("x@example.com", null, null, null)))
        .isInstanceOf(FulcrumException.NotFound.class)
        .hasMessage("PUT /api/v2/memberships/{id}.json: 404 not found");
  }

  @Test
  void a410OnAnUpdateIsNotFound() {
    server.enqueue(status(410));
    assertThatThrownBy(() -> client.renameGroup("g-gone", "x"))
        .isInstanceOf(FulcrumException.NotFound.class)
        .hasMessage("PUT /api/v2/groups/{id}.json: 410 gone");
  }

  @Test
  void a429HonoursRetryAfterSeconds() {
    server.enqueue(withRetryAfter("120"));
    FulcrumException.RateLimited e = catchThrowableOfType(FulcrumException.RateLimited.class, client::roles);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void a429HonoursRetryAfterAsAnHttpDate() {
    String inNinetySeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(fx.clock.instant().plusSeconds(90).atOffset(ZoneOffset.UTC));
    server.enqueue(withRetryAfter(inNinetySeconds));
    FulcrumException.RateLimited e = catchThrowableOfType(FulcrumException.RateLimited.class, client::roles);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void a429WithoutRetryAfterWaitsAMinute() {
    server.enqueue(status(429));
    FulcrumException.RateLimited e = catchThrowableOfType(FulcrumException.RateLimited.class, client::roles);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void aRetryAfterBeyondALongIsCappedAtAnHourWithAWarningAndNoArithmeticException() {
    server.enqueue(withRetryAfter("9223372036854775807"));
    FulcrumException.RateLimited e = catchThrowableOfType(FulcrumException.RateLimited.class, client::roles);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofHours(1));
    assertThat(logs.events()).anySatisfy(event -> {
      assertThat(event.getLevel()).isEqualTo(Level.WARN);
      assertThat(event.getFormattedMessage()).contains("waiting 3600 s instead");
    });

    // the cool-down took: nothing goes out within the hour, calls do after it
    fx.clock.tick(Duration.ofMinutes(59));
    assertThatThrownBy(client::roles).isInstanceOf(FulcrumException.RateLimited.class);
    fx.clock.tick(Duration.ofMinutes(1));
    server.enqueue(json(200, "{\"roles\":[]}"));
    assertThat(client.roles()).isEmpty();
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void a429IsNotRetriedInTheCall() {
    server.enqueue(withRetryAfter("5"));
    assertThatThrownBy(() -> client.deleteGroup("g-1")).isInstanceOf(FulcrumException.RateLimited.class);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void afterA429NoCallGoesOutUntilRetryAfterHasPassed() {
    server.enqueue(withRetryAfter("30"));
    assertThatThrownBy(client::roles).isInstanceOf(FulcrumException.RateLimited.class);
    fx.clock.tick(Duration.ofSeconds(10));
    FulcrumException.RateLimited e = catchThrowableOfType(FulcrumException.RateLimited.class, client::groups);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(20));
    assertThat(server.getRequestCount()).isEqualTo(1);

    fx.clock.tick(Duration.ofSeconds(20));
    server.enqueue(json(200, "{\"groups\":[]}"));
    assertThat(client.groups()).isEmpty();
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void a5xxOnAGetIsRetriedWithGrowingBackoffThenUnavailable() {
    server.enqueue(status(500));
    server.enqueue(status(502));
    server.enqueue(json(503, "{\"error\":\"maintenance\"}"));
    assertThatThrownBy(client::roles)
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessage("GET /api/v2/roles.json: 503 server error: maintenance");
    assertThat(server.getRequestCount()).isEqualTo(3);
    assertThat(fx.sleeps).hasSize(2);
    // 500 ms then 1 s, each with ±50% jitter
    assertThat(fx.sleeps.get(0)).isBetween(Duration.ofMillis(250), Duration.ofMillis(750));
    assertThat(fx.sleeps.get(1)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1500));
  }

  @Test
  void aGetSucceedsWhenARetryDoes() {
    server.enqueue(status(503));
    server.enqueue(json(200, "{\"roles\":[{\"id\":\"r-1\",\"name\":\"Owner\",\"is_system\":true}],\"current_page\":1,\"total_pages\":1}"));
    assertThat(client.roles()).extracting(FulcrumRole::id).containsExactly("r-1");
  }

  @Test
  void aCreateIsNeverRetriedInTheCall() {
    server.enqueue(status(503));
    server.enqueue(json(201, "{\"membership\":{\"id\":\"m-1\"}}"));
    assertThatThrownBy(() -> client.createMember(ALICE)).isInstanceOf(FulcrumException.Unavailable.class);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aDroppedConnectionOnACreateIsUnavailableAndNotRetried() {
    server.enqueue(dropConnection());
    server.enqueue(json(201, "{\"group\":{\"id\":\"g-1\"}}"));
    assertThatThrownBy(() -> client.createGroup("G", null))
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("connection failed");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aDroppedConnectionOnAGetIsRetried() {
    server.enqueue(dropConnection());
    server.enqueue(json(200, "{\"group\":{\"id\":\"g-1\",\"name\":\"G\",\"member_ids\":[]}}"));
    assertThat(client.group("g-1")).map(FulcrumGroup::name).contains("G");
    assertThat(fx.calls).extracting(ClientFixture.Call::status).containsExactly("io_error", "200");
  }

  @Test
  void aGroupMemberChangeIsRetriedBecauseItSetsRatherThanAdds() {
    server.enqueue(status(502));
    server.enqueue(status(200));
    client.changeGroupMembers("g-1", List.of("m-1"), List.of());
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aSlowAnswerIsATimeout() {
    fx.close();
    fx = new ClientFixture(server, 3_600_000, Duration.ofMillis(100));
    MockResponse slow = new MockResponse.Builder().code(200).body("{}")
        .headersDelay(2, java.util.concurrent.TimeUnit.SECONDS).build();
    server.enqueue(slow);
    assertThatThrownBy(() -> fx.client.createGroup("G", null))
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("timed out");
    assertThat(fx.calls).extracting(ClientFixture.Call::status).containsExactly("timeout");
  }

  @Test
  void aNonJsonSuccessIsUnavailable() {
    server.enqueue(new MockResponse(200, Headers.of("Content-Type", "text/html"), "<html>maintenance</html>"));
    assertThatThrownBy(() -> client.group("g-1"))
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("not JSON");
  }

  @Test
  void aRedirectIsNotFollowed() {
    server.enqueue(new MockResponse(301, Headers.of("Location", "https://elsewhere.example/"), ""));
    assertThatThrownBy(client::roles).isInstanceOf(FulcrumException.Rejected.class);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }
}
