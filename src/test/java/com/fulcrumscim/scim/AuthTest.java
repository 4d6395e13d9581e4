package com.fulcrumscim.scim;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.scim.schema.ScimSchemas;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class AuthTest {
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  static final String CONFIGURED = "configured-token-42";
  @TempDir Path dir;
  final SettableClock clock = new SettableClock();
  ScimTestServer server;
  ScimHttp http;

  @BeforeEach
  void start() {
    server = ScimTestServer.start(dir, "scim:\n  auth_failures_per_minute: 3\n  token_hashes: [\""
        + BearerTokens.sha256Hex(CONFIGURED) + "\"]\n", clock);
    http = server.http();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void noTokenIs401WithAScimBodyAndWwwAuthenticate() {
    Response r = http.withAuthorization(null).get("/Users");
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
    assertThat(r.json().path("schemas").get(0).asText()).isEqualTo(ScimSchemas.ERROR);
    assertThat(r.json().path("status").asText()).isEqualTo("401");
    assertThat(r.json().path("detail").asText()).isNotBlank();
  }

  @Test
  void aWrongTokenIs401() {
    assertThat(http.withAuthorization("Bearer nope").get("/Users").status()).isEqualTo(401);
    assertThat(http.withAuthorization("non-token").get("/Users").status()).isEqualTo(401);
  }

  /**
   * The identity provider presenting a token the bridge no longer accepts (a rotation half done) is
   * told apart from requests with none, for the alert on it, and its token is in no log line.
   */
  @Test
  void refusedAuthenticationsAreCountedOnMetricsByReason() {
    String rotatedAway = "configured-token-41";
    assertThat(http.withAuthorization(null).get("/Users").status()).isEqualTo(401);
    ScimHttp okta = http.withAuthorization("Bearer " + rotatedAway);
    assertThat(okta.get("/Users").status()).isEqualTo(401);
    assertThat(okta.get("/Users").status()).isEqualTo(401);
    assertThat(okta.get("/Users").status()).isEqualTo(429);

    assertThat(new ScimHttp(server.rootUrl(), null).get("/metrics").text())
        .contains("fulcrum_scim_auth_failures_total{reason=\"no_token\"} 1.0")
        .contains("fulcrum_scim_auth_failures_total{reason=\"wrong_token\"} 2.0")
        .contains("fulcrum_scim_auth_failures_total{reason=\"throttled\"} 1.0");
    assertThat(logs.events()).map(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains(rotatedAway));
  }

  @Test
  void aTokenWhoseHashIsConfiguredAndTheEnvironmentTokenAreBothAccepted() {
    assertThat(http.withAuthorization("Bearer " + CONFIGURED).get("/Users").status()).isEqualTo(200);
    assertThat(http.get("/Users").status()).isEqualTo(200);
  }

  @Test
  void theBearerSchemeIsCaseInsensitive() {
    assertThat(http.withAuthorization("bearer " + CONFIGURED).get("/Users").status()).isEqualTo(200);
  }

  @Test
  void tooManyFailuresFromOneAddressAre429UntilTheMinuteIsOver() {
    ScimHttp guesser = http.withAuthorization("Bearer guess");
    for (int i = 0; i < 3; i++) {
      assertThat(guesser.get("/Users").status()).isEqualTo(401);
    }
    Response blocked = guesser.get("/Users");
    assertThat(blocked.status()).isEqualTo(429);
    assertThat(blocked.header("Retry-After")).isNotNull();
    assertThat(blocked.json().path("status").asText()).isEqualTo("429");
    assertThat(http.get("/Users").status()).as("the right token is never throttled").isEqualTo(200);
    clock.tick(Duration.ofSeconds(61));
    assertThat(guesser.get("/Users").status()).isEqualTo(401);
  }

  @Test
  void aStrangersFailuresAreLoggedOnceEachWithTheirPathCutAndNotAtAllOnceThrottled() {
    ScimHttp guesser = http.withAuthorization("Bearer guess");
    String longPath = "/Users/" + "x".repeat(7_500);
    for (int i = 0; i < 3; i++) {
      guesser.get(longPath);
    }
    for (int i = 0; i < 5; i++) {
      assertThat(guesser.get(longPath).status()).isEqualTo(429);
    }

    List<String> lines = logs.events().stream().filter(e -> e.getLoggerName().equals(ScimServer.class.getName()))
        .map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    assertThat(lines).filteredOn(l -> l.contains("authentication failed")).hasSize(3)
        .allSatisfy(l -> assertThat(l).hasSizeLessThan(400).contains("...(" + ("/scim/v2" + longPath).length() + " characters)"));
    assertThat(lines).filteredOn(l -> l.contains("refused (429) for the rest of the minute")).hasSize(1);
    assertThat(lines).as("no second line per 401, none per 429").hasSize(4);
  }

  @Test
  void discoveryEndpointsNeedTheTokenToo() {
    assertThat(http.withAuthorization(null).get("/ServiceProviderConfig").status()).isEqualTo(401);
  }
}
