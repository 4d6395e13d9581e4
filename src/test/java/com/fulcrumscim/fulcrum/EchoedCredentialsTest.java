package com.fulcrumscim.fulcrum;

import static com.fulcrumscim.fulcrum.ClientFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Credentials other than the bridge's own that Fulcrum, or a proxy in front of it, echoes in an
 * error body never reach the failure's message, from which audit rows, work rows, status and logs
 * are written.
 */
class EchoedCredentialsTest {
  static final List<String> SECRETS = List.of("eyJforeign.bearer-tok", "Zm9yZWlnbjpzZWNyZXQ=", "foreign-api-key-123",
      "hunter2-foreign", "sess-cookie-777");
  static final MemberFields BOB = new MemberFields("bob@example.com", null, null, null);

  @StartStop final MockWebServer server = new MockWebServer();
  ClientFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ClientFixture(server);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private String failureOfACreate(MockResponse answer) {
    server.enqueue(answer);
    return catchThrowable(() -> fx.client.createMember(BOB)).getMessage();
  }

  @Test
  void fulcrumsErrorTextEchoingHeadersAndAPasswordIsMasked() {
    String message = failureOfACreate(json(422, "{\"errors\":[\"request had Authorization: Basic Zm9yZWlnbjpzZWNyZXQ=, "
        + "X-Api-Key: foreign-api-key-123 and password=hunter2-foreign\", \"and Bearer eyJforeign.bearer-tok\"]}"));

    assertThat(message).contains("Authorization: <redacted>", "X-Api-Key: <redacted>", "password=<redacted>", "Bearer <redacted>");
    assertThat(SECRETS).noneMatch(message::contains);
  }

  @Test
  void aJsonBodyOfNoKnownShapeIsCopiedWithItsCredentialsMasked() {
    String message = failureOfACreate(json(400, "{\"request\":{\"headers\":{\"Authorization\":\"Bearer eyJforeign.bearer-tok\","
        + "\"Cookie\":\"session=sess-cookie-777\"}},\"user\":{\"password\":\"hunter2-foreign\",\"api_key\":\"foreign-api-key-123\"}}"));

    assertThat(message).contains("\"Authorization\":\"<redacted>\"", "\"password\":\"<redacted>\"");
    assertThat(SECRETS).noneMatch(message::contains);
  }

  @Test
  void aProxysPageEchoingTheRequestIsMasked() {
    String message = failureOfACreate(new MockResponse(502, Headers.of("Content-Type", "text/html"),
        "<html><pre>POST /api/v2/memberships.json\nAuthorization: Bearer eyJforeign.bearer-tok\n"
            + "Cookie: sess-cookie-777\nX-Api-Key: foreign-api-key-123\n</pre></html>"));

    assertThat(message).contains("502");
    assertThat(SECRETS).noneMatch(message::contains);
  }

  @Test
  void fulcrumsFieldErrorsNamedLikeCredentialsStayReadable() {
    String message = failureOfACreate(json(422, "{\"membership\":{\"errors\":{\"password\":[\"is too short\"],"
        + "\"token\":[\"has expired\"]}}}"));

    assertThat(message).contains("password is too short", "token has expired");
  }

  @Test
  void aCredentialThousandsOfCharactersLongIsMaskedAndTheRefusalStillClassified() {
    String huge = "a".repeat(100_000);
    String escaped = "ab\\\\".repeat(25_000);
    for (String body : List.of("{\"error\":\"bad\",\"password\":\"" + huge + "\"}",
        "{\"error\":\"token=\\\"" + escaped + "\\\"\"}", "token='".repeat(15_000))) {
      Throwable refused = catchThrowable(() -> {
        server.enqueue(json(422, body));
        fx.client.createMember(BOB);
      });

      assertThat(refused).isInstanceOf(FulcrumException.Rejected.class);
      assertThat(refused.getMessage()).doesNotContain("aaaaaaaa", "ab\\ab\\ab").hasSizeLessThan(2_000);
    }
  }

  @Test
  void shortWordsAfterASchemeOrALabelAreFulcrumsWordsAndStayReadable() {
    String message = failureOfACreate(json(422, "{\"errors\":[\"member limit reached for the Basic plan\","
        + "\"password: must be at least 12 characters\",\"secret=false is not allowed\",\"the Bearer of this ID\"]}"));

    assertThat(message).contains("the Basic plan", "password: must be at least 12", "secret=false", "the Bearer of this ID")
        .doesNotContain(ForeignCredentials.MASK);
  }
}
