package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimHttp.q;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * U+0000 (the JSON escape backslash, u, 0000) anywhere a client can put a string is 400 invalidValue and
 * stores nothing, on SQLite (which would store it) and on PostgreSQL (whose text refuses it), see
 * {@link NulInputOnPostgresTest}.
 */
class NulInputTest {
  static final String CORE = "urn:ietf:params:scim:schemas:core:2.0:User";
  static final String NUL = "\\u0000";
  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  ScimTestServer server;
  ScimHttp http;
  String ada;
  String crew;

  @BeforeEach
  void start() {
    server = ScimTestServer.start(store(), "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    http = server.http();
    ada = http.post("/Users", user("ada@example.com")).json().path("id").asText();
    crew = http.post("/Groups", group("Crew", ada)).json().path("id").asText();
  }

  /** The store under test; {@link NulInputOnPostgresTest} gives a PostgreSQL one. */
  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @AfterEach
  void nothingElseIsStoredNothingFailedAndNoLogLineHoldsANul() {
    assertThat(http.get("/Users?count=0").json().path("totalResults").asInt()).isEqualTo(1);
    assertThat(http.get("/Groups?count=0").json().path("totalResults").asInt()).isEqualTo(1);
    assertThat(http.get("/Users/" + ada).version()).isEqualTo(1);
    assertThat(http.get("/Groups/" + crew).version()).isEqualTo(1);
    server.close();
    assertThat(logs.events()).noneMatch(e -> e.getLevel() == Level.ERROR);
    assertThat(logs.events()).noneMatch(e -> e.getFormattedMessage().indexOf(0) >= 0);
  }

  static void assertNulRefused(Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.json().path("scimType").asText()).isEqualTo("invalidValue");
    assertThat(r.json().path("detail").asText()).contains("U+0000");
  }

  static String userWith(String attributes) {
    return "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"bob@example.com\"," + attributes + "}";
  }

  @Test
  void aNulInAUsersExternalIdIs400() {
    assertNulRefused(http.post("/Users", userWith("\"externalId\":\"ext" + NUL + "x\"")));
  }

  @Test
  void aNulInARoleIs400WhereverTheRoleIs() {
    assertNulRefused(http.post("/Users", userWith("\"role\":\"Own" + NUL + "er\"")));
    assertNulRefused(http.post("/Users", userWith(
        "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":{\"role\":\"M" + NUL + "\"}")));
    assertNulRefused(http.post("/Users", userWith(
        "\"urn:ietf:params:scim:schemas:extension:acme:2.0:User\":{\"role\":\"M" + NUL + "\"}")));
  }

  @Test
  void aNulInAGroupsExternalIdIs400() {
    assertNulRefused(http.post("/Groups",
        "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"G\",\"externalId\":\"g" + NUL + "\"}"));
  }

  @Test
  void aNulInAnAttributeNameIs400() {
    assertNulRefused(http.post("/Users", userWith(
        "\"urn:ietf:params:scim:schemas:extension:acme:2.0:User\":{\"ro" + NUL + "le\":\"Manager\"}")));
  }

  @Test
  void aNulInAPutOrPatchValueIs400AndLeavesTheUserAsItWas() {
    assertNulRefused(http.put("/Users/" + ada, "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"ada@example.com\","
        + "\"externalId\":\"" + NUL + "\"}"));
    assertNulRefused(http.patch("/Users/" + ada, patch(
        "{\"op\":\"replace\",\"value\":{\"active\":false,\"externalId\":\"e" + NUL + "\"}}")));
    assertNulRefused(http.patch("/Groups/" + crew, patch(
        "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + ada + NUL + "\\\"]\"}")));
  }

  @Test
  void aNulInAFilterLiteralIs400WhetherAnIndexOrAScanServesIt() {
    for (String filter : new String[] {"externalId eq \"a" + NUL + "\"", "userName eq \"a" + NUL + "\"",
        "id eq \"" + NUL + "\"", "title co \"" + NUL + "\""}) {
      assertNulRefused(http.get("/Users?filter=" + q(filter)));
    }
    assertNulRefused(http.get("/Groups?filter=" + q("displayName eq \"C" + NUL + "rew\"")));
  }
}
