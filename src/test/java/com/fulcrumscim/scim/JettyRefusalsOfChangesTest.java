package com.fulcrumscim.scim;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.scim.schema.ScimSchemas;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.RawHttp;
import com.fulcrumscim.testing.ScimTestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Jetty's own refusals (a path that is not valid UTF-8 400, headers too large 431) of a PUT, PATCH
 * or DELETE are SCIM error JSON, as of a GET or POST: Jetty answers only those with a body by
 * default. A user's change so refused may be a deactivation that never lands: a WARN naming the
 * user, as for one the endpoint refuses before reading its body (review-s8d F2).
 */
class JettyRefusalsOfChangesTest {
  @RegisterExtension static final ScimTestServer.PerClass server = new ScimTestServer.PerClass();
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  static Map<String, String> headers(String... more) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Authorization", "Bearer " + ScimTestServer.TOKEN);
    h.put("Content-Type", "application/scim+json");
    for (int i = 0; i < more.length; i += 2) {
      h.put(more[i], more[i + 1]);
    }
    return h;
  }

  static void assertScimError(RawHttp.Response r, int status) throws IOException {
    assertThat(r.status()).as(r.head()).isEqualTo(status);
    assertThat(r.head()).containsIgnoringCase("Content-Type: application/scim+json");
    JsonNode body = new ObjectMapper().readTree(r.body());
    assertThat(body.path("schemas").get(0).asText()).isEqualTo(ScimSchemas.ERROR);
    assertThat(body.path("status").asText()).isEqualTo(Integer.toString(status));
  }

  @Test
  void aPatchToAPathThatIsNotUtf8IsAScimError() throws IOException {
    RawHttp.Response r = new RawHttp(server.baseUrl()).send("PATCH", "/scim/v2/Users/%C0%AF", headers(),
        "{}".getBytes(StandardCharsets.UTF_8));

    assertScimError(r, 400);
  }

  @Test
  void aUsersPatchRefused431IsAWarnNamingTheUser() throws IOException {
    RawHttp.Response r = new RawHttp(server.baseUrl()).send("PATCH", "/scim/v2/Users/leaver-431",
        headers("X-Big", "b".repeat(20_000)), "{}".getBytes(StandardCharsets.UTF_8));

    assertThat(r.status()).isEqualTo(431);
    assertThat(warnings()).singleElement().asString().contains("SCIM PATCH of user leaver-431",
        "refused 431 before its body was read", "the request headers are too large", "push the user again");
  }

  @Test
  void aGroupsOrAReadsRefusalIsNoWarn() throws IOException {
    RawHttp raw = new RawHttp(server.baseUrl());
    raw.send("PATCH", "/scim/v2/Groups/g-431", headers("X-Big", "b".repeat(20_000)), "{}".getBytes(StandardCharsets.UTF_8));
    raw.send("GET", "/scim/v2/Users/reader-431", headers("X-Big", "b".repeat(20_000)), null);

    assertThat(warnings()).isEmpty();
  }

  List<String> warnings() {
    return logs.events().stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void aChangeWithHeadersTooLargeIsAScimErrorForEveryMethod() throws IOException {
    for (String method : new String[] {"PUT", "PATCH", "DELETE"}) {
      RawHttp.Response r = new RawHttp(server.baseUrl()).send(method, "/scim/v2/Users/x",
          headers("X-Big", "b".repeat(20_000)), method.equals("DELETE") ? null : "{}".getBytes(StandardCharsets.UTF_8));

      assertScimError(r, 431);
    }
  }
}
