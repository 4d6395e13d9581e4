package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimHttp.q;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.scim.schema.ScimSchemas;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.file.Path;
import java.util.List;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad request is a 4xx SCIM error, stores nothing, and the server keeps serving. */
class BadInputTest {
  @TempDir Path dir;
  ScimTestServer server;
  ScimHttp http;
  /** Journal rows the test itself meant to write (to have something to send bad requests to). */
  int acceptedWrites;

  @BeforeEach
  void start() {
    server = ScimTestServer.start(dir, "server:\n  max_body_bytes: 4096\n", Clock.systemUTC());
    http = server.http();
  }

  @AfterEach
  void afterEachNothingIsStoredAndTheServerStillServes() {
    assertThat(http.get("/Users").status()).isEqualTo(200);
    server.close();
    try (Database db = Database.open(server.database())) {
      long[] rows = db.read(c -> {
        try (ResultSet rs = c.createStatement().executeQuery(
            "SELECT (SELECT count(*) FROM scim_user) + (SELECT count(*) FROM scim_group), (SELECT count(*) FROM journal)")) {
          rs.next();
          return new long[] {rs.getLong(1), rs.getLong(2)};
        }
      });
      assertThat(rows[0]).as("resources left by bad requests").isZero();
      assertThat(rows[1]).as("journal rows").isEqualTo(acceptedWrites);
    }
  }

  static void assertScimError(Response r, int status, String scimType) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.header("Content-Type")).startsWith("application/scim+json");
    assertThat(r.json().path("schemas").get(0).asText()).isEqualTo(ScimSchemas.ERROR);
    assertThat(r.json().path("status").asText()).isEqualTo(Integer.toString(status));
    assertThat(r.json().path("detail").asText()).isNotBlank();
    if (scimType != null) {
      assertThat(r.json().path("scimType").asText()).isEqualTo(scimType);
    }
  }

  @Test
  void malformedJsonIs400InvalidSyntax() {
    assertScimError(http.post("/Users", "{\"userName\": "), 400, "invalidSyntax");
    assertScimError(http.post("/Users", "not json"), 400, "invalidSyntax");
    assertScimError(http.post("/Users", "{} trailing"), 400, "invalidSyntax");
  }

  @Test
  void malformedJsonIsDescribedWithoutTheParsersInternals() {
    String cut = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":\"replace\","
        + "\"path\":\"displayName\",\"value\":\"x\"";
    for (String body : List.of(cut, "{\"userName\": ", "not json", "{} trailing")) {
      Response r = http.post("/Users", body);
      assertScimError(r, 400, "invalidSyntax");
      String detail = r.json().path("detail").asText();
      assertThat(detail).as(body).contains("line 1 column").doesNotContain("Source", "Feature", "`", "com.fasterxml");
    }
  }

  @Test
  void anEmptyBodyIs400() {
    assertScimError(http.post("/Users", ""), 400, "invalidSyntax");
  }

  @Test
  void duplicateKeysAre400() {
    assertScimError(http.post("/Users", "{\"userName\":\"a\",\"userName\":\"b\"}"), 400, "invalidSyntax");
  }

  @Test
  void aBodyThatIsNoObjectIs400() {
    Response r = http.post("/Users", "[1,2,3]");
    assertThat(r.status()).isEqualTo(400);
  }

  @Test
  void missingSchemasIs400() {
    Response r = http.post("/Users", "{\"userName\":\"noschemas@example.com\"}");
    assertScimError(r, 400, null);
  }

  @Test
  void missingUserNameIs400() {
    assertScimError(http.post("/Users", "{\"schemas\":[\"" + ScimSchemas.CORE_USER + "\"]}"), 400, null);
  }

  @Test
  void wrongTypesAre400() {
    assertScimError(http.post("/Users", user("types@example.com").replace("\"active\":true", "\"active\":[1]")), 400, null);
    assertScimError(http.post("/Users", user("types@example.com").replace("\"name\":{", "\"name\":7,\"x\":{")), 400, null);
    assertScimError(http.post("/Users", "{\"schemas\":[\"" + ScimSchemas.CORE_USER + "\"],\"userName\":42}"), 400, null);
  }

  @Test
  void controlCharactersInANameOrEmailAre400InvalidValue() {
    for (String bad : List.of("\\u0000", "\\u001b[2J", "\\r\\nX-Injected: 1", "\\u009b31m", "\\u007f")) {
      String json = user("ctl@example.com");
      assertScimError(http.post("/Users", json.replace("\"userName\":\"ctl@example.com\"",
          "\"userName\":\"ctl" + bad + "@example.com\"")), 400, "invalidValue");
      assertScimError(http.post("/Users", json.replace("\"value\":\"ctl@example.com\"",
          "\"value\":\"ctl" + bad + "@example.com\"")), 400, "invalidValue");
      assertScimError(http.post("/Users", json.replace("\"givenName\":\"Test\"", "\"givenName\":\"Te" + bad + "st\"")),
          400, "invalidValue");
    }
  }

  @Test
  void aLoneSurrogateIs400InvalidValueNotStoredAsAQuestionMark() {
    assertScimError(http.post("/Users", user("sur@example.com").replace("\"givenName\":\"Test\"",
        "\"givenName\":\"Te\\ud83dst\"")), 400, "invalidValue");
    assertScimError(http.post("/Users", user("sur\\udc00@example.com")), 400, "invalidValue");
  }

  @Test
  void anOversizeBodyIs413() {
    String big = user("big@example.com").replace("\"locale\":\"en-US\"", "\"locale\":\"" + "x".repeat(5000) + "\"");
    assertScimError(http.post("/Users", big), 413, null);
  }

  /**
   * The client is still sending when the bridge refuses: the connection must not be reset under
   * the answer (the client would see no answer at all), so the body is read and dropped first.
   */
  @Test
  void aBodyFarOverTheLimitIsAnswered413NotAResetConnection() {
    String big = user("big@example.com").replace("\"locale\":\"en-US\"", "\"locale\":\"" + "x".repeat(4 << 20) + "\"");
    for (int i = 0; i < 10; i++) {
      assertScimError(http.post("/Users", big), 413, null);
    }
  }

  @Test
  void deepNestingIs400() {
    String deep = "[".repeat(2000) + "]".repeat(2000);
    assertScimError(http.post("/Users", deep), 400, "invalidSyntax");
    String deepObject = "{\"a\":".repeat(500) + "1" + "}".repeat(500);
    assertScimError(http.post("/Groups", deepObject), 400, "invalidSyntax");
  }

  @Test
  void aNumberOfMoreThan1000CharactersIs400SayingSo() {
    Response r = http.post("/Users", user("num@example.com").replace("\"locale\":\"en-US\"",
        "\"urn:example:acme:2.0:User\":{\"n\":" + "1".repeat(1500) + "}"));
    assertScimError(r, 400, "invalidSyntax");
    assertThat(r.json().path("detail").asText()).isEqualTo("the request body holds a number longer than 1000 characters");
  }

  @Test
  void aNumberBeyondADoublesRangeIs400NotStoredAsTheStringInfinity() {
    for (String number : List.of("1e400", "-1e400", "1.5E+999")) {
      Response r = http.post("/Users", user("inf@example.com").replace("\"locale\":\"en-US\"",
          "\"urn:example:acme:2.0:User\":{\"n\":" + number + "}"));
      assertScimError(r, 400, "invalidValue");
      assertThat(r.json().path("detail").asText()).contains("out of range");
    }
    String id = http.post("/Users", user("finite@example.com")).json().path("id").asText();
    assertScimError(http.patch("/Users/" + id, "{\"schemas\":[\"" + ScimSchemas.PATCH_OP + "\"],\"Operations\":"
        + "[{\"op\":\"add\",\"path\":\"urn:example:acme:2.0:User:n\",\"value\":1e400}]}"), 400, "invalidValue");
    assertThat(http.delete("/Users/" + id).status()).isEqualTo(204);
    acceptedWrites = 2;
  }

  @Test
  void anUnsupportedContentTypeIs415() {
    assertScimError(http.send("POST", "/Users", user("xml@example.com"), Map.of("Content-Type", "application/xml")), 415,
        null);
  }

  @Test
  void invalidFiltersAre400InvalidFilter() {
    for (String filter : new String[] {"userName eq", "userName zz \"a\"", "(userName eq \"a\"", "userName eq \"a\" and",
        "nosuchattr eq \"a\"", "emails[type eq \"work\"", "\"a\" eq userName"}) {
      assertScimError(http.get("/Users?filter=" + q(filter)), 400, "invalidFilter");
    }
  }

  @Test
  void badPagingParametersAre400() {
    assertScimError(http.get("/Users?startIndex=abc"), 400, "invalidValue");
    assertScimError(http.get("/Users?count=1.5"), 400, "invalidValue");
    assertScimError(http.get("/Users?sortOrder=sideways"), 400, "invalidValue");
  }

  @Test
  void unknownIdsAre404() {
    assertScimError(http.get("/Users/nope"), 404, null);
    assertScimError(http.get("/Groups/nope"), 404, null);
    assertScimError(http.delete("/Users/nope"), 404, null);
    assertScimError(http.patch("/Groups/nope", "{\"schemas\":[\"" + ScimSchemas.PATCH_OP + "\"],\"Operations\":[]}"),
        404, null);
  }

  @Test
  void unknownEndpointsAre404ScimErrors() {
    assertScimError(http.get("/Widgets"), 404, null);
    assertScimError(http.post("/Users/abc/more", user("x@example.com")), 404, null);
  }

  @Test
  void badPatchRequestsAre400() {
    String id = http.post("/Users", user("patchee@example.com")).json().path("id").asText();
    assertScimError(http.patch("/Users/" + id, "{\"Operations\":\"no\"}"), 400, null);
    assertScimError(http.patch("/Users/" + id, "{\"schemas\":[\"" + ScimSchemas.PATCH_OP
        + "\"],\"Operations\":[{\"op\":\"explode\",\"path\":\"active\",\"value\":true}]}"), 400, null);
    assertThat(http.delete("/Users/" + id).status()).isEqualTo(204);
    acceptedWrites = 2;
  }
}
