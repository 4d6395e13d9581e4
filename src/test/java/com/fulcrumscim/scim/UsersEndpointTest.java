package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimHttp.q;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.testing.RawHttp;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class UsersEndpointTest {
  @RegisterExtension static final ScimTestServer.PerClass server = new ScimTestServer.PerClass();
  static ScimHttp http;

  @BeforeAll
  static void start() {
    http = server.http();
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
  }

  static JsonNode create(String userName) {
    Response r = http.post("/Users", user(userName));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  @Test
  void aCreatedUserIs201WithIdMetaLocationAndETag() {
    String name = unique("create");
    Response r = http.post("/Users", user(name));
    assertThat(r.status()).isEqualTo(201);
    JsonNode u = r.json();
    assertThat(u.path("id").asText()).isNotBlank();
    assertThat(u.path("userName").asText()).isEqualTo(name);
    assertThat(u.path("meta").path("resourceType").asText()).isEqualTo("User");
    assertThat(u.path("meta").path("version").asText()).isEqualTo("W/\"1\"");
    assertThat(u.path("meta").path("location").asText()).isEqualTo(http.baseUrl() + "/Users/" + u.path("id").asText());
    assertThat(r.header("Location")).isEqualTo(u.path("meta").path("location").asText());
    assertThat(r.header("ETag")).isEqualTo("W/\"1\"");
    assertThat(u.has("password")).isFalse();
  }

  @Test
  void aCreateFromAClientThatSendsNoHostHeaderIsLocatedAtTheAddressItReached() throws Exception {
    RawHttp.Response r = new RawHttp(http.baseUrl()).sendWithoutHost("POST", "/scim/v2/Users",
        Map.of("Authorization", "Bearer " + ScimTestServer.TOKEN, "Content-Type", "application/scim+json"),
        user(unique("hostless")).getBytes(StandardCharsets.UTF_8));
    assertThat(r.status()).as(r.head()).isEqualTo(201);
    String location = new ObjectMapper().readTree(r.body()).path("meta").path("location").asText();
    assertThat(location).doesNotContain("null").startsWith(http.baseUrl() + "/Users/");
    assertThat(r.head()).contains("Location: " + location);
  }

  @Test
  void responsesAreScimJsonInUtf8() {
    Response r = http.post("/Users", user(unique("ctype")));
    assertThat(r.header("Content-Type")).isEqualTo("application/scim+json; charset=utf-8");
  }

  @Test
  void plainJsonAndAMissingContentTypeAreBothAccepted() {
    assertThat(http.send("POST", "/Users", user(unique("plain")), Map.of("Content-Type", "application/json")).status())
        .isEqualTo(201);
    assertThat(http.send("POST", "/Users", user(unique("none")), Map.of("Content-Type", "")).status()).isEqualTo(201);
  }

  @Test
  void aCreatedUserReadsBackById() {
    JsonNode created = create(unique("read"));
    Response r = http.get("/Users/" + created.path("id").asText());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json()).isEqualTo(created);
  }

  @Test
  void aDuplicateUserNameIs409EvenInAnotherCase() {
    String name = unique("dup");
    create(name);
    Response r = http.post("/Users", user(name.toUpperCase()));
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.json().path("scimType").asText()).isEqualTo("uniqueness");
    assertThat(r.json().path("status").asText()).isEqualTo("409");
  }
  @Test
  void aSecondActiveUserWithTheSameEmailInAnyCaseIs409ButAnInactiveOneIsAccepted() {
    assertThat(http.post("/Users", user("first@mail.example")).status()).isEqualTo(201);
    String second = user("second@mail.example").replace("\"value\":\"second@mail.example\"",
        "\"value\":\" FIRST@Mail.example\"");
    Response dup = http.post("/Users", second);
    assertThat(dup.status()).as(dup.text()).isEqualTo(409);
    assertThat(dup.json().path("scimType").asText()).isEqualTo("uniqueness");
    assertThat(http.post("/Users", second.replace("\"active\":true", "\"active\":false")).status())
        .as("not a Fulcrum member, so no clash").isEqualTo(201);
  }

  /**
   * The check folds every letter's case, as Fulcrum does (one search of the email key's index in the
   * write): zoë@ beside ZOË@ would be one member to Fulcrum, and the second would end DEAD later.
   */
  @Test
  void aSecondActiveUserWhoseEmailDiffersOnlyInANonAsciiLettersCaseIs409() {
    assertThat(http.post("/Users", user("ZOË@mail.example")).status()).isEqualTo(201);
    Response second = http.post("/Users", user("zoe@mail.example", "zoë@mail.example", "Zoë", "Z", true));
    assertThat(second.status()).as(second.text()).isEqualTo(409);
    assertThat(second.json().path("scimType").asText()).isEqualTo("uniqueness");
    assertThat(second.json().path("detail").asText()).contains("is already the email of active user");
  }

  @Test
  void userNamesThatDifferOnlyInCaseOrSurroundingBlanksAreOneUser409() {
    Response first = http.post("/Users", user("ada@trim.example"));
    assertThat(first.status()).isEqualTo(201);
    for (String same : List.of("ada@trim.example ", "ADA@trim.example\\t", " Ada@Trim.Example")) {
      Response dup = http.post("/Users", user("other@trim.example").replace("\"userName\":\"other@trim.example\"",
          "\"userName\":\"" + same + "\""));
      assertThat(dup.status()).as(same).isEqualTo(409);
      assertThat(dup.json().path("scimType").asText()).isEqualTo("uniqueness");
    }
    assertThat(http.get("/Users?filter=" + ScimHttp.q("userName eq \"ADA@trim.example\"")).json().path("totalResults")
        .asLong()).isEqualTo(1);
  }


  @Test
  void userNameEqIsCaseInsensitiveAndFindsDeactivatedUsers() {
    String name = unique("Inactive");
    http.post("/Users", user(name, "In", "Active", false));
    Response r = http.get("/Users?filter=" + q("userName eq \"" + name.toUpperCase() + "\"") + "&startIndex=1&count=100");
    assertThat(r.json().path("totalResults").asInt()).isEqualTo(1);
    assertThat(r.json().path("Resources").get(0).path("active").asBoolean()).isFalse();
  }

  @Test
  void externalIdEqFindsTheUser() {
    String name = unique("ext");
    create(name);
    Response r = http.get("/Users?filter=" + q("externalId eq \"ext-" + name + "\""));
    assertThat(r.json().path("Resources").get(0).path("userName").asText()).isEqualTo(name);
  }

  @Test
  void putReplacesTheUserAndBumpsTheVersion() {
    JsonNode u = create(unique("put"));
    String id = u.path("id").asText();
    Response r = http.put("/Users/" + id, user(u.path("userName").asText(), "New", "Name", true));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("name").path("givenName").asText()).isEqualTo("New");
    assertThat(r.json().path("meta").path("version").asText()).isEqualTo("W/\"2\"");
  }

  @Test
  void aPutThatChangesNothingKeepsTheVersion() {
    String name = unique("same");
    JsonNode u = create(name);
    Response r = http.put("/Users/" + u.path("id").asText(), user(name));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("meta").path("version").asText()).isEqualTo("W/\"1\"");
  }

  @Test
  void aPutEchoingTheWholeGetBodyIsAccepted() {
    JsonNode u = create(unique("echo"));
    Response r = http.put("/Users/" + u.path("id").asText(), u.toString());
    assertThat(r.status()).as(r.text()).isEqualTo(200);
  }

  @Test
  void aPutWithoutActiveKeepsADeactivatedUserInactive() {
    String name = unique("omitted");
    JsonNode u = create(name);
    String path = "/Users/" + u.path("id").asText();
    http.patch(path, patch("{\"op\":\"replace\",\"path\":\"active\",\"value\":false}"));

    Response r = http.put(path, user(name, "New", "Name", false).replace(",\"active\":false", ""));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("name").path("givenName").asText()).isEqualTo("New");
    assertThat(r.json().path("active").asBoolean()).isFalse();
    assertThat(http.get(path).json().path("active").asBoolean()).isFalse();
  }

  @Test
  void aPutWithoutActiveKeepsAnActiveUserActiveAndANewUserWithoutItIsActive() {
    String name = unique("omitted-active");
    Response created = http.post("/Users", user(name).replace(",\"active\":true", ""));
    Response r = http.put("/Users/" + created.json().path("id").asText(),
        user(name, "New", "Name", true).replace(",\"active\":true", ""));

    assertThat(created.json().path("active").asBoolean()).isTrue();
    assertThat(r.json().path("active").asBoolean()).isTrue();
  }

  @Test
  void aPatchRemovingActiveKeepsADeactivatedUserInactive() {
    JsonNode u = create(unique("removed-active"));
    String path = "/Users/" + u.path("id").asText();
    http.patch(path, patch("{\"op\":\"replace\",\"path\":\"active\",\"value\":false}"));

    Response r = http.patch(path, patch("{\"op\":\"remove\",\"path\":\"active\"}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("active").asBoolean()).isFalse();
    assertThat(http.get(path).json().path("active").asBoolean()).isFalse();
  }

  @Test
  void aPutTakingAnotherUsersNameIs409() {
    String taken = unique("taken");
    create(taken);
    JsonNode u = create(unique("taker"));
    Response r = http.put("/Users/" + u.path("id").asText(), user(taken));
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.json().path("scimType").asText()).isEqualTo("uniqueness");
    assertThat(r.json().path("detail").asText()).contains("userName '" + taken + "' is already taken");
    assertThat(http.get("/Users/" + u.path("id").asText()).json().path("meta").path("version").asText())
        .as("nothing written").isEqualTo(u.path("meta").path("version").asText());
  }

  @Test
  void aStaleIfMatchIs412AndAMatchingOneSucceeds() {
    String name = unique("etag");
    JsonNode u = create(name);
    String path = "/Users/" + u.path("id").asText();
    assertThat(http.send("PUT", path, user(name, "A", "B", true), Map.of("If-Match", "W/\"7\"")).status()).isEqualTo(412);
    assertThat(http.send("PUT", path, user(name, "A", "B", true), Map.of("If-Match", "W/\"1\"")).status()).isEqualTo(200);
    assertThat(http.send("DELETE", path, null, Map.of("If-Match", "W/\"1\"")).status()).isEqualTo(412);
  }

  @Test
  void aPutToAnUnknownIdIs404AndCreatesNothing() {
    String name = unique("ghost");
    assertThat(http.put("/Users/no-such-id", user(name)).status()).isEqualTo(404);
    assertThat(http.get("/Users?filter=" + q("userName eq \"" + name + "\"")).json().path("totalResults").asInt())
        .isZero();
  }

  @Test
  void aPathlessPatchDeactivatesAndAnswers200WithTheUser() {
    JsonNode u = create(unique("deact"));
    Response r = http.patch("/Users/" + u.path("id").asText(),
        patch("{\"op\":\"replace\",\"value\":{\"active\":false}}"));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("active").asBoolean()).isFalse();
    assertThat(r.json().path("meta").path("version").asText()).isEqualTo("W/\"2\"");
  }

  @Test
  void aPatchThatChangesNothingKeepsTheVersion() {
    JsonNode u = create(unique("noop"));
    Response r = http.patch("/Users/" + u.path("id").asText(), patch("{\"op\":\"replace\",\"value\":{\"active\":true}}"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("meta").path("version").asText()).isEqualTo("W/\"1\"");
  }

  @Test
  void deleteIs204ThenTheUserIs404() {
    JsonNode u = create(unique("del"));
    String path = "/Users/" + u.path("id").asText();
    assertThat(http.delete(path).status()).isEqualTo(204);
    Response gone = http.get(path);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().path("detail").asText()).isNotBlank();
    assertThat(http.delete(path).status()).isEqualTo(404);
  }

  @Test
  void roleIsEchoedWhereItArrived() {
    String body = user(unique("role")).replace("\"active\":true", "\"active\":true,\"role\":\"Manager\"");
    Response r = http.post("/Users", body);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(http.get("/Users/" + r.json().path("id").asText()).json().path("role").asText()).isEqualTo("Manager");
  }

  @Test
  void attributesReturnsOnlyTheNamedOnesPlusIdAndSchemas() {
    JsonNode u = create(unique("attrs"));
    JsonNode r = http.get("/Users/" + u.path("id").asText() + "?attributes=userName,name.givenName").json();
    assertThat(r.has("id")).isTrue();
    assertThat(r.has("schemas")).isTrue();
    assertThat(r.path("userName").asText()).isEqualTo(u.path("userName").asText());
    assertThat(r.path("name").has("givenName")).isTrue();
    assertThat(r.path("name").has("familyName")).isFalse();
    assertThat(r.has("emails")).isFalse();
  }

  /** RFC 7644 3.9: a multi-valued attribute's sub-attribute is each element's alone (review-s16b F3). */
  @Test
  void attributesNamingASubAttributeOfEmailsReturnsThatOfEachEmailOnly() {
    JsonNode u = create(unique("subattrs"));
    String email = u.path("emails").get(0).path("value").asText();
    String path = "/Users/" + u.path("id").asText();

    assertThat(http.get(path + "?attributes=emails.value").json().path("emails").toString())
        .isEqualTo("[{\"value\":\"" + email + "\"}]");
    assertThat(http.get(path + "?attributes=EMAILS.type,emails.value").json().path("emails").toString())
        .isEqualTo("[{\"type\":\"work\",\"value\":\"" + email + "\"}]");
    assertThat(http.get(path + "?attributes=emails.value,emails").json().path("emails"))
        .isEqualTo(u.path("emails"));
  }

  @Test
  void excludedAttributesLeavesThemOut() {
    JsonNode u = create(unique("excl"));
    JsonNode r = http.get("/Users/" + u.path("id").asText() + "?excludedAttributes=emails,name.familyName,id").json();
    assertThat(r.has("emails")).isFalse();
    assertThat(r.path("name").has("familyName")).isFalse();
    assertThat(r.path("name").has("givenName")).isTrue();
    assertThat(r.has("id")).as("id is always returned").isTrue();
  }
}
