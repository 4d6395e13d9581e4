package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimHttp.q;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.scim.schema.ScimSchemas;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Okta's SCIM 2.0 SPEC test (Runscope export, steps 1-12) against the running bridge, with the
 * variables of its Initial_Script_Spec. Steps depend on earlier ones, as in the original.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OktaSpecTest {
  static final String GIVEN = "Runscope123";
  static final String FAMILY = "Xabcdefgh123";
  static final String RANDOM_USERNAME = GIVEN + FAMILY + "@atko.com";
  static final String INVALID_USER_EMAIL = "abcdefgh@atko.com";
  static final String USER_ID_THAT_DOES_NOT_EXIST = "010101001010101011001010101011";

  @RegisterExtension static final ScimTestServer.PerClass server = new ScimTestServer.PerClass();
  static ScimHttp http;
  static String isvUserId;
  static String idUserOne;

  @BeforeAll
  static void startWithTheRequiredActiveUserAndAGroup() {
    http = server.http();
    Response seeded = http.post("/Users", user("existing.user@atko.com", "Existing", "User", true));
    assertThat(seeded.status()).isEqualTo(201);
    assertThat(http.post("/Groups", group("Seeded Group", seeded.json().path("id").asText())).status()).isEqualTo(201);
  }

  static void assertListResponse(JsonNode body) {
    assertThat(body.path("schemas").toString()).contains(ScimSchemas.LIST_RESPONSE);
  }

  static void assertHasUserFields(JsonNode u) {
    assertThat(u.path("id").asText()).isNotEmpty();
    assertThat(u.path("name").path("familyName").asText()).isNotEmpty();
    assertThat(u.path("name").path("givenName").asText()).isNotEmpty();
    assertThat(u.path("userName").asText()).isNotEmpty();
    assertThat(u.has("active")).isTrue();
    assertThat(u.path("emails").path(0).path("value").asText()).isNotEmpty();
  }

  @Test
  @Order(1)
  void step01RequiredUserFieldsArePresentInAList() {
    Response r = http.get("/Users?count=1&startIndex=1");
    assertThat(r.status()).isEqualTo(200);
    assertListResponse(r.json());
    assertThat(r.json().path("Resources")).isNotEmpty();
    assertThat(r.json().path("itemsPerPage").isNumber()).isTrue();
    assertThat(r.json().path("startIndex").isNumber()).isTrue();
    assertThat(r.json().path("totalResults").isNumber()).isTrue();
    JsonNode first = r.json().path("Resources").get(0);
    assertHasUserFields(first);
    isvUserId = first.path("id").asText();
  }

  @Test
  @Order(2)
  void step02GetUserById() {
    Response r = http.get("/Users/" + isvUserId);
    assertThat(r.status()).isEqualTo(200);
    assertHasUserFields(r.json());
    assertThat(r.json().path("id").asText()).isEqualTo(isvUserId);
  }

  @Test
  @Order(3)
  void step03FilterForAnUnknownUserGivesZeroResults() {
    Response r = http.get("/Users?filter=" + q("userName eq \"" + INVALID_USER_EMAIL + "\""));
    assertThat(r.status()).isEqualTo(200);
    assertListResponse(r.json());
    assertThat(r.json().path("totalResults").asText()).isEqualTo("0");
  }

  @Test
  @Order(4)
  void step04UnknownIdIs404WithDetail() {
    Response r = http.get("/Users/" + USER_ID_THAT_DOES_NOT_EXIST);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().path("detail").asText()).isNotEmpty();
    assertThat(r.json().path("schemas").toString()).contains(ScimSchemas.ERROR);
  }

  @Test
  @Order(5)
  void step05TheRandomUserDoesNotExistYet() {
    Response r = http.get("/Users?filter=" + q("userName eq \"" + RANDOM_USERNAME + "\""));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("totalResults").asInt()).isZero();
    assertListResponse(r.json());
  }

  static String randomUserBody() {
    return """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%1$s",
         "name":{"givenName":"%2$s","familyName":"%3$s"},
         "emails":[{"primary":true,"value":"%1$s","type":"work"}],
         "displayName":"%2$s %3$s","active":true}
        """.formatted(RANDOM_USERNAME, GIVEN, FAMILY);
  }

  @Test
  @Order(6)
  void step06CreateTheUserWithPlainJson() {
    Response r = http.send("POST", "/Users", randomUserBody(), Map.of("Content-Type", "application/json"));
    assertThat(r.status()).isEqualTo(201);
    JsonNode u = r.json();
    assertThat(u.path("active").asText()).isEqualTo("true");
    assertThat(u.path("id").asText()).isNotEmpty();
    assertThat(u.path("name").path("familyName").asText()).isEqualTo(FAMILY);
    assertThat(u.path("name").path("givenName").asText()).isEqualTo(GIVEN);
    assertThat(u.path("schemas").toString()).contains(ScimSchemas.CORE_USER);
    assertThat(u.path("userName").asText()).isEqualTo(RANDOM_USERNAME);
    assertThat(u.path("emails").path(0).path("value").asText()).isEqualTo(RANDOM_USERNAME);
    idUserOne = u.path("id").asText();
  }

  @Test
  @Order(7)
  void step07ReadTheNewUserBack() {
    JsonNode u = http.get("/Users/" + idUserOne).json();
    assertThat(u.path("userName").asText()).isEqualTo(RANDOM_USERNAME);
    assertThat(u.path("name").path("familyName").asText()).isEqualTo(FAMILY);
    assertThat(u.path("name").path("givenName").asText()).isEqualTo(GIVEN);
  }

  @Test
  @Order(8)
  void step08CreatingTheSameUserAgainIs409() {
    Response r = http.send("POST", "/Users", randomUserBody(), Map.of("Content-Type", "application/json"));
    assertThat(r.status()).isEqualTo(409);
  }

  @Test
  @Order(9)
  void step09UserNameFilterInCapitalsFindsTheUser() {
    Response r = http.get("/Users?filter=" + q("userName eq \"" + RANDOM_USERNAME.toUpperCase(Locale.ROOT) + "\""));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("totalResults").asInt()).isEqualTo(1);
    assertThat(r.json().path("Resources").get(0).path("id").asText()).isEqualTo(idUserOne);
  }

  @Test
  @Order(10)
  void step10GroupsListIsAnArray() {
    Response r = http.get("/Groups");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("totalResults").asInt()).isPositive();
    assertThat(r.json().path("Resources").isArray()).isTrue();
  }

  @Test
  @Order(11)
  void step11ANonTokenIs401WithAScimBody() {
    Response r = http.withAuthorization("non-token")
        .get("/Users?filter=" + q("userName eq \"" + RANDOM_USERNAME + "\""));
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.json().path("detail").asText()).isNotEmpty();
    assertThat(r.json().path("status").asText()).isEqualTo("401");
    assertThat(r.text()).contains(ScimSchemas.ERROR);
  }

  @Test
  @Order(12)
  void step12AnotherUnknownIdIs404() {
    Response r = http.get("/Users/00919288221112222");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().path("detail").asText()).isNotEmpty();
    assertThat(r.json().path("status").asText()).isEqualTo("404");
    assertThat(r.text()).contains(ScimSchemas.ERROR);
  }
}
