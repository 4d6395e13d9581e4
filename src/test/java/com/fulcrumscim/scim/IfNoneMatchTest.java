package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * If-None-Match over HTTP (RFC 7232 3.2): {@code *}, or a listed tag equal to the resource's under
 * the weak comparison, makes a GET 304 and a PUT, PATCH or DELETE of an existing resource 412,
 * changing nothing. A POST's target is the collection, which always exists: there it is not read.
 */
class IfNoneMatchTest {
  @RegisterExtension static final ScimTestServer.PerClass server = new ScimTestServer.PerClass();
  static ScimHttp http;

  @BeforeAll
  static void start() {
    http = server.http();
  }

  static String name() {
    return "inm-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
  }

  static String newUser() {
    return http.post("/Users", user(name())).json().path("id").asText();
  }

  static Response send(String method, String path, String body, String ifNoneMatch) {
    return http.send(method, path, body, Map.of("If-None-Match", ifNoneMatch));
  }

  @Test
  void aGetWithAStarOfAnExistingUserIsNotModified() {
    String u = newUser();
    String tag = http.get("/Users/" + u).header("ETag");

    Response got = send("GET", "/Users/" + u, null, "*");

    assertThat(got.status()).isEqualTo(304);
    assertThat(got.header("ETag")).isEqualTo(tag);
    assertThat(got.text()).isEmpty();
  }

  /** RFC 9110 15.4.5: a 304 has no content; Content-Type text/plain named one that is not there (review-s16b F4). */
  @Test
  void aNotModifiedHasNoContentType() {
    String u = newUser();

    Response got = send("GET", "/Users/" + u, null, "*");

    assertThat(got.status()).isEqualTo(304);
    assertThat(got.header("Content-Type")).isNull();
  }

  @Test
  void aGetWhoseListNamesTheCurrentTagStrongOrWeakIsNotModified() {
    String u = newUser();
    String tag = http.get("/Users/" + u).header("ETag");

    assertThat(send("GET", "/Users/" + u, null, "W/\"99\", " + tag).status()).isEqualTo(304);
    assertThat(send("GET", "/Users/" + u, null, tag.substring(2)).status()).isEqualTo(304);
    assertThat(send("GET", "/Users/" + u, null, "W/\"99\"").status()).isEqualTo(200);
  }

  @Test
  void aPutWithAStarOfAnExistingUserIsRefusedAndChangesNothing() {
    String u = newUser();
    String before = http.get("/Users/" + u).text();

    Response refused = send("PUT", "/Users/" + u, user(name(), "Other", "Name", true), "*");

    assertThat(refused.status()).isEqualTo(412);
    assertThat(refused.json().path("detail").asText()).startsWith("If-None-Match * names user " + u + " as it is");
    assertThat(http.get("/Users/" + u).text()).isEqualTo(before);
  }

  @Test
  void aPatchNamingTheCurrentTagIsRefusedAndOneNamingAnOlderTagIsApplied() {
    String u = newUser();
    String first = http.get("/Users/" + u).header("ETag");
    String rename = patch("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"New Name\"}");

    assertThat(send("PATCH", "/Users/" + u, rename, first).status()).isEqualTo(412);
    http.patch("/Users/" + u, patch("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Between\"}"));
    assertThat(send("PATCH", "/Users/" + u, rename, first).status()).isIn(200, 204);
    assertThat(http.get("/Users/" + u).json().path("displayName").asText()).isEqualTo("New Name");
  }

  @Test
  void aDeleteWithAStarOfAnExistingGroupIsRefusedAndTheGroupStays() {
    String g = http.post("/Groups", ScimTestServer.Bodies.group("INM " + UUID.randomUUID())).json().path("id").asText();

    assertThat(send("DELETE", "/Groups/" + g, null, "*").status()).isEqualTo(412);
    assertThat(http.get("/Groups/" + g).status()).isEqualTo(200);
  }

  @Test
  void aChangeOfAnIdTheBridgeDoesNotHaveIsNotFoundWhateverItsPrecondition() {
    assertThat(send("PUT", "/Users/no-such-id", user(name()), "*").status()).isEqualTo(404);
  }

  @Test
  void aPostWithAStarCreatesTheUser() {
    assertThat(send("POST", "/Users", user(name()), "*").status()).isEqualTo(201);
  }
}
