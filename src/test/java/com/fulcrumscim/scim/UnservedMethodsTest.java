package com.fulcrumscim.scim;

import static com.fulcrumscim.scim.BadInputTest.assertScimError;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.RawHttp;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A path the endpoint serves, asked with a method it does not serve, is 405 with an Allow header
 * (RFC 9110 §15.5.6), not "no such endpoint"; search by POST (RFC 7644 §3.4.3), which no client
 * of the bridge sends, is 501 (RFC 7644 §3.12). Both with a SCIM error body.
 */
class UnservedMethodsTest {
  @RegisterExtension static final ScimTestServer.PerClass server = new ScimTestServer.PerClass();

  final ScimHttp http = server.http();

  @Test
  void aWrongMethodOnTheUsersEndpointIs405NamingTheMethodsItServes() {
    Response r = http.put("/Users", user("put-users@example.com"));

    assertScimError(r, 405, null);
    assertThat(r.header("Allow")).isEqualTo("GET, POST");
    assertThat(r.json().path("detail").asText()).isEqualTo("PUT is not served at /scim/v2/Users (it serves GET, POST)");
  }

  @Test
  void aWrongMethodOnOneResourceIs405NamingTheMethodsItServes() {
    Response r = http.post("/Groups/abc", user("post-group@example.com"));

    assertScimError(r, 405, null);
    assertThat(r.header("Allow")).isEqualTo("GET, PUT, PATCH, DELETE");
  }

  @Test
  void aWriteToADiscoveryEndpointIs405() {
    Response r = http.send("PATCH", "/ServiceProviderConfig", "{}", Map.of());

    assertScimError(r, 405, null);
    assertThat(r.header("Allow")).isEqualTo("GET");
  }

  @Test
  void searchByPostIs501OnEveryEndpoint() {
    String search = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:SearchRequest\"],"
        + "\"filter\":\"userName eq \\\"ada@example.com\\\"\"}";
    for (String path : new String[] {"/Users/.search", "/Groups/.search", "/.search"}) {
      Response r = http.post(path, search);

      assertScimError(r, 501, null);
      assertThat(r.json().path("detail").asText()).as(path).contains("not implemented", "GET");
    }
  }

  @Test
  void aGetOfUsersSearchIs405NotAnUnknownUser() {
    Response r = http.get("/Users/.search");

    assertScimError(r, 405, null);
    assertThat(r.header("Allow")).isEqualTo("POST");
    assertThat(r.json().path("detail").asText()).doesNotContain("no user");
  }

  @Test
  void aHeadRunsTheGetAndAnswersItsStatusWithoutABody() throws IOException {
    String id = http.post("/Users", user("head@example.com")).json().path("id").asText();

    RawHttp.Response existing = new RawHttp(server.baseUrl()).send("HEAD", "/scim/v2/Users/" + id,
        Map.of("Authorization", "Bearer " + ScimTestServer.TOKEN), null);
    assertThat(existing.status()).isEqualTo(200);
    assertThat(existing.head()).contains("ETag: " + http.get("/Users/" + id).header("ETag"));
    assertThat(existing.body()).isEmpty();
    assertThat(http.send("HEAD", "/Users/nonexistent", null, Map.of()).status()).isEqualTo(404);
    assertThat(http.send("HEAD", "/Users?filter=bad%20%20x", null, Map.of()).status()).isEqualTo(400);
  }

  @Test
  void aHeadWhereNoGetIsServedIs405() {
    Response r = http.send("HEAD", "/Users/.search", null, Map.of());

    assertThat(r.status()).isEqualTo(405);
    assertThat(r.header("Allow")).isEqualTo("POST");
  }

  @Test
  void optionsAndTraceOnAServedPathAre405NamingTheMethodsItServes() {
    for (String method : new String[] {"OPTIONS", "TRACE"}) {
      Response r = http.send(method, "/Users/abc", null, Map.of());

      assertScimError(r, 405, null);
      assertThat(r.header("Allow")).as(method).isEqualTo("GET, PUT, PATCH, DELETE");
    }
  }

  @Test
  void anUnknownPathIsStill404() {
    assertScimError(http.get("/Widgets"), 404, null);
  }

  @Test
  void aWrongMethodWithoutATokenIs401() {
    assertScimError(http.withAuthorization(null).put("/Users", user("no-token@example.com")), 401, null);
  }
}
