package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
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
 * A resource's entity tag follows the memberships it renders (a user's groups, a group's members),
 * which change without moving its own row's version; If-Match still compares the version alone.
 */
class MembershipETagsTest {
  @RegisterExtension static final ScimTestServer.PerClass server = new ScimTestServer.PerClass();
  static ScimHttp http;

  @BeforeAll
  static void start() {
    http = server.http();
  }

  static String newUser() {
    return http.post("/Users", user("etag-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com"))
        .json().path("id").asText();
  }

  static Response ifNoneMatch(String path, String etag) {
    return http.send("GET", path, null, Map.of("If-None-Match", etag));
  }

  @Test
  void aUserJoiningAGroupGetsANewETagAndItsOldOneNoLongerAnswersNotModified() {
    String u = newUser();
    String before = http.get("/Users/" + u).header("ETag");
    http.post("/Groups", group("Joined " + u, u));

    Response after = ifNoneMatch("/Users/" + u, before);

    assertThat(after.status()).isEqualTo(200);
    assertThat(after.header("ETag")).isNotEqualTo(before);
    assertThat(after.json().path("groups").path(0).path("display").asText()).isEqualTo("Joined " + u);
  }

  @Test
  void aUserWhoseGroupIsRenamedGetsANewETag() {
    String u = newUser();
    String g = http.post("/Groups", group("Before " + u, u)).json().path("id").asText();
    String before = http.get("/Users/" + u).header("ETag");

    http.patch("/Groups/" + g, patch("{\"op\":\"replace\",\"value\":{\"displayName\":\"After " + u + "\"}}"));

    assertThat(ifNoneMatch("/Users/" + u, before).status()).isEqualTo(200);
  }

  @Test
  void aGroupWhoseMemberIsRenamedGetsANewETag() {
    String u = newUser();
    String g = http.post("/Groups", group("Renamed member " + u, u)).json().path("id").asText();
    String before = http.get("/Groups/" + g).header("ETag");

    String renamed = "renamed-" + u + "@example.com";
    http.patch("/Users/" + u, patch("{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"" + renamed + "\"}"));

    Response after = ifNoneMatch("/Groups/" + g, before);
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.json().path("members").path(0).path("display").asText()).isEqualTo(renamed);
  }

  @Test
  void anUnchangedUserInAGroupAnswersNotModifiedToItsCurrentETag() {
    String u = newUser();
    http.post("/Groups", group("Steady " + u, u));
    Response current = http.get("/Users/" + u);

    assertThat(ifNoneMatch("/Users/" + u, current.header("ETag")).status()).isEqualTo(304);
    assertThat(current.json().path("meta").path("version").asText()).isEqualTo(current.header("ETag"));
  }

  @Test
  void anIfMatchFromBeforeAGroupJoinStillWritesTheUserAndAStaleVersionDoesNot() {
    String u = newUser();
    Response before = http.get("/Users/" + u);
    http.post("/Groups", group("Joined later " + u, u));
    String rename = patch("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"New Name\"}");

    assertThat(http.send("PATCH", "/Users/" + u, rename, Map.of("If-Match", before.header("ETag"))).status())
        .as("a user's PATCH writes no groups: a join elsewhere is no conflict").isIn(200, 204);
    assertThat(http.send("PATCH", "/Users/" + u, rename, Map.of("If-Match", before.header("ETag"))).status())
        .as("the version moved with the first PATCH").isEqualTo(412);
  }

  @Test
  void aStaleIfMatchIsRefusedNamingTheVersionNotATagTheUserNeverHad() {
    String u = newUser();
    http.post("/Groups", group("Stale " + u, u));
    String rename = patch("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"New Name\"}");
    http.patch("/Users/" + u, rename);
    String current = http.get("/Users/" + u).header("ETag");

    Response refused = http.send("PATCH", "/Users/" + u, rename, Map.of("If-Match", "W/\"1\""));

    assertThat(refused.status()).isEqualTo(412);
    assertThat(current).startsWith("W/\"2.");
    assertThat(refused.json().path("detail").asText()).isEqualTo("If-Match does not name version 2, the current one of user "
        + u + " (its ETag is W/\"2\" or W/\"2.<digest of its memberships>\"); read it again");
  }

  @Test
  void thePatchAnswersETagIsTheOneAGetGives() {
    String u = newUser();
    http.post("/Groups", group("Patched " + u, u));
    Response patched = http.patch("/Users/" + u,
        patch("{\"op\":\"replace\",\"path\":\"name.givenName\",\"value\":\"Pat\"}"));

    assertThat(patched.header("ETag")).isEqualTo(http.get("/Users/" + u).header("ETag"));
  }
}
