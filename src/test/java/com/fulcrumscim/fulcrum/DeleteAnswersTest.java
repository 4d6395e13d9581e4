package com.fulcrumscim.fulcrum;

import static com.fulcrumscim.fulcrum.ClientFixture.json;
import static com.fulcrumscim.fulcrum.ClientFixture.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import mockwebserver3.MockResponse;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

/**
 * Which answers to a delete, and to the read by id that decides it, are Fulcrum's: only those may
 * say an entity is gone. A proxy's or WAF's page says nothing about it.
 */
class DeleteAnswersTest extends MockFulcrumTest {
  private static MockResponse html(int code) {
    return new MockResponse(code, Headers.of("Content-Type", "text/html"), "<html><body>nginx 404</body></html>");
  }

  /** One answer is enough: a page from in front of Fulcrum is not tried again within the call. */
  private void enqueueEveryAttempt(MockResponse response) {
    server.enqueue(response);
  }

  @Test
  void aDeleteAnswersTheStatusFulcrumGave() {
    server.enqueue(status(204));
    server.enqueue(json(200, "{}"));
    server.enqueue(json(404, "{}"));
    server.enqueue(status(404));
    assertThat(client.deleteMember("m-1", null)).isEqualTo(204);
    assertThat(client.deleteMember("m-1", null)).isEqualTo(200);
    // Fulcrum's 404 is answered, not thrown; it names no entity it found (the member or the reassign
    // target), so it is no proof the member is gone: the reconciler reads it back by id.
    assertThat(client.deleteMember("m-1", null)).as("Fulcrum's 404: answered as such").isEqualTo(404);
    assertThat(client.deleteGroup("g-1")).as("an empty 404 is Fulcrum's too").isEqualTo(404);
  }

  @Test
  void anHtml404ToAMemberDeleteIsUnavailableNotAlreadyGone() {
    enqueueEveryAttempt(html(404));
    assertThatThrownBy(() -> client.deleteMember("m-1", null))
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("404 answer is not Fulcrum's");
  }

  @Test
  void anHtml404ToAGroupDeleteIsUnavailableNotAlreadyGone() {
    enqueueEveryAttempt(html(404));
    assertThatThrownBy(() -> client.deleteGroup("g-1")).isInstanceOf(FulcrumException.Unavailable.class);
  }

  @Test
  void anHtml410IsUnavailableToo() {
    enqueueEveryAttempt(html(410));
    assertThatThrownBy(() -> client.deleteMember("m-1", null)).isInstanceOf(FulcrumException.Unavailable.class);
  }

  /** Go's and many servers' default: plain text that a lenient JSON reader takes for the number 404. */
  @Test
  void aPlainText404PageIsNotFulcrumsEither() {
    enqueueEveryAttempt(new MockResponse(404, Headers.of("Content-Type", "text/plain"), "404 page not found"));
    assertThatThrownBy(() -> client.deleteMember("m-1", null)).isInstanceOf(FulcrumException.Unavailable.class);
  }

  @Test
  void a2xxToADeleteCarryingAPageThatIsNotJsonIsUnavailable() {
    server.enqueue(new MockResponse(200, Headers.of("Content-Type", "text/html"), "<html>down for maintenance</html>"));
    assertThatThrownBy(() -> client.deleteMember("m-1", null))
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("200 answer is not JSON");
    server.enqueue(new MockResponse(200, Headers.of("Content-Type", "text/html"), "<html>down for maintenance</html>"));
    assertThatThrownBy(() -> client.deleteGroup("g-1")).isInstanceOf(FulcrumException.Unavailable.class);
  }

  /** The read that confirms a removal must not be fooled by the same proxy. */
  @Test
  void anHtml404ToAReadByIdIsUnavailableNotEmpty() {
    enqueueEveryAttempt(html(404));
    assertThatThrownBy(() -> client.member("m-1")).isInstanceOf(FulcrumException.Unavailable.class);
    enqueueEveryAttempt(html(404));
    assertThatThrownBy(() -> client.group("g-1")).isInstanceOf(FulcrumException.Unavailable.class);
    server.enqueue(json(404, "{}"));
    assertThat(client.member("m-gone")).as("Fulcrum's own 404 still means gone").isEmpty();
  }

  /** A rule in front of Fulcrum does not change in the 500 ms of an in-call backoff. */
  @Test
  void aPageFromInFrontOfFulcrumIsNotTriedAgainWithinTheCall() {
    for (int i = 0; i < 3; i++) {
      server.enqueue(html(404));
    }
    assertThatThrownBy(() -> client.deleteMember("m-1", null)).isInstanceOf(FulcrumException.Unavailable.class);
    assertThatThrownBy(() -> client.member("m-1")).isInstanceOf(FulcrumException.Unavailable.class);
    assertThatThrownBy(() -> client.changeGroupMembers("g-1", java.util.List.of("m-1"), java.util.List.of()))
        .isInstanceOf(FulcrumException.Unavailable.class);
    assertThat(server.getRequestCount()).as("one request per call").isEqualTo(3);
    assertThat(fx.sleeps).as("pacing only, no backoff (500 ms ± 50%)").allMatch(d -> d.toMillis() < 50);
  }
}
