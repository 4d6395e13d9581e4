package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.RawHttp;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's PUT or PATCH refused before its body is read may be a deactivation Okta does not send
 * again, and nothing read can tell: a WARN naming the user (an ERROR when refused for its size,
 * which a retry cannot cure), never only the INFO request line (review-idp F1).
 */
class UserChangeRefusedBeforeReadLogTest {
  private static final String DEACTIVATION = patch("{\"op\":\"replace\",\"value\":{\"active\":false}}");
  private static final Map<String, String> AUTHENTICATED_SCIM_JSON = Map.of(
      "Authorization", "Bearer " + ScimTestServer.TOKEN, "Content-Type", "application/scim+json");

  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  private ScimTestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aUsersPatchRefused503WhileTheBodySlotsAreBusyIsAWarnNamingTheUser() throws Exception {
    ScimHttp http = start("server:\n  body_read_timeout: 2s\n  max_concurrent_bodies: 1\n");
    String slow = http.post("/Users", user("slow@example.com")).json().path("id").asText();
    String leaver = http.post("/Users", user("leaver@example.com")).json().path("id").asText();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Response r;
    try {
      Future<RawHttp.Response> trickle = pool.submit(() -> new RawHttp(server.baseUrl()).trickle("PATCH",
          "/scim/v2/Users/" + slow, AUTHENTICATED_SCIM_JSON, bytes(patch("{\"op\":\"replace\",\"value\":{\"nickName\":\"x\"}}")),
          Duration.ofMillis(200)));
      Thread.sleep(500);
      r = http.patch("/Users/" + leaver, DEACTIVATION);
      trickle.get();
    } finally {
      pool.shutdownNow();
    }

    assertThat(r.status()).as(r.text()).isEqualTo(503);
    assertThat(refusalLines(leaver)).singleElement().satisfies(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("PATCH of user " + leaver, r.header("X-Request-Id"),
          "refused 503 before its body was read", "server.max_concurrent_bodies", "push the user again");
    });
  }

  @Test
  void aUsersPatchNotArrivingWithinTheReadDeadlineIsAWarnNamingTheUser() throws Exception {
    start("server:\n  body_read_timeout: 1s\n");
    String leaver = server.http().post("/Users", user("trickler@example.com")).json().path("id").asText();

    RawHttp.Response r = new RawHttp(server.baseUrl()).trickle("PATCH", "/scim/v2/Users/" + leaver, AUTHENTICATED_SCIM_JSON,
        bytes(DEACTIVATION), Duration.ofMillis(100));

    assertThat(r.status()).as(r.body()).isEqualTo(408);
    assertThat(refusalLines(leaver)).singleElement().satisfies(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("PATCH of user " + leaver, "refused 408 before its body was read",
          "server.body_read_timeout");
    });
  }

  @Test
  void aUsersPutOfAnotherContentTypeIsAWarnNamingTheUser() {
    ScimHttp http = start("");
    String leaver = http.post("/Users", user("plain@example.com")).json().path("id").asText();

    Response r = http.send("PUT", "/Users/" + leaver, user("plain@example.com", "Pat", "Plain", false),
        Map.of("Content-Type", "text/plain"));

    assertThat(r.status()).as(r.text()).isEqualTo(415);
    assertThat(refusalLines(leaver)).singleElement().satisfies(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("PUT of user " + leaver, "refused 415 before its body was read",
          "text/plain");
    });
  }

  @Test
  void aUsersPatchRefusedForItsSizeIsTheErrorAPutGets() {
    ScimHttp http = start("server:\n  max_body_bytes: 1024\n");
    String leaver = http.post("/Users", user("large@example.com")).json().path("id").asText();

    Response r = http.patch("/Users/" + leaver, patch("{\"op\":\"replace\",\"value\":{\"active\":false,\"nickName\":\""
        + "n".repeat(2000) + "\"}}"));

    assertThat(r.status()).as(r.text()).isEqualTo(413);
    assertThat(refusalLines(leaver)).singleElement().satisfies(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.ERROR);
      assertThat(e.getFormattedMessage()).contains("PATCH of user " + leaver, "refused 413",
          "A deactivation may have been refused", "deactivate the user by PATCH or by hand");
    });
  }

  @Test
  void theWarnIsOneLineAndCarriesNothingOfTheBody() {
    ScimHttp http = start("");
    String leaver = http.post("/Users", user("secret@example.com")).json().path("id").asText();

    Response r = http.send("PATCH", "/Users/" + leaver, patch("{\"op\":\"replace\",\"value\":{\"active\":false,"
        + "\"password\":\"hunter2-not-for-logs\"}}"), Map.of("Content-Type", "text/plain; charset=utf-8"));

    assertThat(r.status()).as(r.text()).isEqualTo(415);
    assertThat(refusalLines(leaver)).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
        .doesNotContain("hunter2", "active", "\n", "\r"));
  }

  private ScimHttp start(String yaml) {
    server = ScimTestServer.start(dir, yaml, Clock.systemUTC());
    return server.http();
  }

  /** The lines at WARN or above naming user {@code id} outside the request log (whose lines are INFO). */
  private List<ILoggingEvent> refusalLines(String id) {
    return logs.events().stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN) && e.getFormattedMessage().contains("user " + id)).toList();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
