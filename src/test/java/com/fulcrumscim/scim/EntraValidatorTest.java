package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimHttp.q;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.scim.schema.ScimSchemas;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Microsoft Entra SCIM Validator's 24 tests and 7 preview tests (okta-scim.md §2.3), with the
 * bodies it sends: random users with enterprise extension, manager, string booleans, roles.
 */
class EntraValidatorTest {
  static final String ENTERPRISE = ScimSchemas.ENTERPRISE_USER;
  @RegisterExtension static final ScimTestServer.PerClass server = new ScimTestServer.PerClass();
  static ScimHttp http;
  static final Random random = new Random(20260201);

  @BeforeAll
  static void start() {
    http = server.http();
  }

  static synchronized String word() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      s.append((char) ('A' + random.nextInt(26)));
    }
    return s.toString();
  }

  static String entraUser(String userName) {
    return """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","%2$s"],
         "userName":"%1$s","active":"True","displayName":"%3$s","title":"%4$s","preferredLanguage":"sa-IN",
         "timezone":"America/Santiago","externalId":"%5$s",
         "name":{"formatted":"%3$s","familyName":"%6$s","givenName":"%7$s"},
         "emails":[{"Primary":"True","type":"work","value":"%1$s"}],
         "phoneNumbers":[{"Primary":"True","type":"work","value":"13-824-6372"}],
         "addresses":[{"type":"work","streetAddress":"1 Main St","locality":"Marshallberg","region":"ND",
                       "postalCode":"73125","country":"Suriname","primary":"True","formatted":"1 Main St"}],
         "roles":[{"primary":"True","display":"Manager","value":"Manager","type":"WindowsAzureActiveDirectoryRole"}],
         "%2$s":{"employeeNumber":"%8$s","department":"%4$s","manager":{"value":"%9$s"}}}
        """.formatted(userName, ENTERPRISE, word(), word(), java.util.UUID.randomUUID(), word(), word(), word(),
        word());
  }

  static String newUserName() {
    return word().toLowerCase(Locale.ROOT) + "@contoso.example";
  }

  static JsonNode createUser() {
    Response r = http.post("/Users", entraUser(newUserName()));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  static JsonNode createGroup(String... memberIds) {
    StringBuilder members = new StringBuilder();
    for (String id : memberIds) {
      members.append(members.length() == 0 ? "" : ",").append("{\"value\":\"").append(id).append("\"}");
    }
    Response r = http.post("/Groups", """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group",
                    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
         "externalId":"%s","displayName":"%s","members":[%s],"meta":{"resourceType":"Group"}}
        """.formatted(java.util.UUID.randomUUID(), "Group " + word(), members));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  static JsonNode filterUsers(String filter) {
    Response r = http.get("/Users?filter=" + q(filter));
    assertThat(r.status()).isEqualTo(200);
    return r.json();
  }

  static JsonNode filterGroups(String filter, String extra) {
    Response r = http.get("/Groups?filter=" + q(filter) + extra);
    assertThat(r.status()).isEqualTo(200);
    return r.json();
  }

  static Response patchUser(String id, String... ops) {
    Response r = http.patch("/Users/" + id, patch(ops));
    assertThat(r.status()).as("user PATCH answers 200 with the user: " + r.text()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/scim+json");
    return r;
  }

  static List<String> memberIds(String groupId) {
    List<String> ids = new ArrayList<>();
    http.get("/Groups/" + groupId).json().path("members").forEach(m -> ids.add(m.path("value").asText()));
    return ids;
  }

  static String op(String op, String path, String valueJson) {
    return "{\"op\":\"" + op + "\"" + (path == null ? "" : ",\"path\":\"" + path.replace("\"", "\\\"") + "\"")
        + ",\"value\":" + valueJson + "}";
  }

  // ---- the 12 user tests

  @Test
  void t01CreateANewUserThenFindItByFilter() {
    JsonNode u = createUser();
    assertThat(filterUsers("userName eq \"" + u.path("userName").asText() + "\"").path("totalResults").asInt())
        .isEqualTo(1);
  }

  @Test
  void t02CreateADuplicateUserIs409() {
    String name = newUserName();
    assertThat(http.post("/Users", entraUser(name)).status()).isEqualTo(201);
    Response dup = http.post("/Users", entraUser(name));
    assertThat(dup.status()).isEqualTo(409);
    assertThat(dup.json().path("scimType").asText()).isEqualTo("uniqueness");
  }

  @Test
  void t03FilterForAnExistingUser() {
    JsonNode u = createUser();
    JsonNode list = filterUsers("userName eq \"" + u.path("userName").asText() + "\"");
    assertThat(list.path("Resources").get(0).path("id").asText()).isEqualTo(u.path("id").asText());
  }

  @Test
  void t04FilterForANonExistingUserGivesZero() {
    assertThat(filterUsers("userName eq \"nobody-" + word() + "@contoso.example\"").path("totalResults").asInt())
        .isZero();
  }

  @Test
  void t05FilterForAnExistingUserWithADifferentCase() {
    JsonNode u = createUser();
    JsonNode list = filterUsers("userName eq \"" + u.path("userName").asText().toUpperCase(Locale.ROOT) + "\"");
    assertThat(list.path("totalResults").asInt()).isEqualTo(1);
  }

  @Test
  void t06PatchUserReplaceAttributesVerbose() {
    JsonNode u = createUser();
    String given = word();
    String department = word();
    JsonNode r = patchUser(u.path("id").asText(),
        op("replace", "displayName", "\"" + word() + "\""),
        op("replace", "title", "\"" + word() + "\""),
        op("replace", "preferredLanguage", "\"en-NZ\""),
        op("replace", "name.givenName", "\"" + given + "\""),
        op("replace", "name.familyName", "\"" + word() + "\""),
        op("replace", "name.formatted", "\"" + word() + "\""),
        op("replace", "emails[type eq \"work\"].value", "\"new-" + u.path("userName").asText() + "\""),
        op("replace", "phoneNumbers[type eq \"work\"].value", "\"99-999-9999\""),
        op("replace", "phoneNumbers[type eq \"mobile\"].value", "\"88-888-8888\""),
        op("replace", "addresses[type eq \"work\"].locality", "\"" + word() + "\""),
        op("replace", "addresses[type eq \"work\"].postalCode", "\"12345\""),
        op("replace", "externalId", "\"" + word() + "\""),
        op("replace", "active", "\"True\""),
        op("replace", ENTERPRISE + ":department", "\"" + department + "\""),
        op("replace", ENTERPRISE + ":employeeNumber", "\"" + word() + "\""),
        op("replace", ENTERPRISE + ":costCenter", "\"" + word() + "\""),
        op("replace", ENTERPRISE + ":organization", "\"" + word() + "\""),
        op("replace", ENTERPRISE + ":division", "\"" + word() + "\"")).json();
    assertThat(r.path("name").path("givenName").asText()).isEqualTo(given);
    assertThat(r.path(ENTERPRISE).path("department").asText()).isEqualTo(department);
    assertThat(r.path("emails").get(0).path("value").asText()).startsWith("new-");
    assertThat(http.get("/Users/" + u.path("id").asText()).json().path("name").path("givenName").asText())
        .isEqualTo(given);
  }

  @Test
  void t07UpdateUserUserName() {
    JsonNode u = createUser();
    String renamed = newUserName();
    patchUser(u.path("id").asText(), op("replace", "userName", "\"" + renamed + "\""));
    assertThat(filterUsers("userName eq \"" + renamed + "\"").path("totalResults").asInt()).isEqualTo(1);
  }

  @Test
  void t08PatchUserDisableUser() {
    JsonNode u = createUser();
    JsonNode r = patchUser(u.path("id").asText(), op("Replace", "active", "\"False\"")).json();
    assertThat(r.path("active").asBoolean(true)).isFalse();
  }

  @Test
  void t09PatchUserAddManager() {
    JsonNode u = createUser();
    JsonNode r = patchUser(u.path("id").asText(), op("Add", ENTERPRISE + ":manager", "\"mgr-123\"")).json();
    assertThat(r.path(ENTERPRISE).path("manager").path("value").asText()).isEqualTo("mgr-123");
  }

  @Test
  void t10PatchUserReplaceManager() {
    JsonNode u = createUser();
    JsonNode r = patchUser(u.path("id").asText(),
        op("replace", ENTERPRISE + ":manager", "{\"value\":\"mgr-456\"}")).json();
    assertThat(r.path(ENTERPRISE).path("manager").path("value").asText()).isEqualTo("mgr-456");
  }

  @Test
  void t11PatchUserRemoveManager() {
    JsonNode u = createUser();
    JsonNode r = patchUser(u.path("id").asText(), op("replace", ENTERPRISE + ":manager", "{\"value\":\"\"}")).json();
    assertThat(r.path(ENTERPRISE).path("manager").path("value").asText("")).isEmpty();
  }

  @Test
  void t12DeleteAUserThenItIs404() {
    JsonNode u = createUser();
    assertThat(http.delete("/Users/" + u.path("id").asText()).status()).isEqualTo(204);
    assertThat(http.get("/Users/" + u.path("id").asText()).status()).isEqualTo(404);
  }

  // ---- the 12 group tests

  @Test
  void t13GetGroupByIdExcludingMembers() {
    JsonNode g = createGroup(createUser().path("id").asText());
    JsonNode r = http.get("/Groups/" + g.path("id").asText() + "?excludedAttributes=members").json();
    assertThat(r.path("displayName").asText()).isEqualTo(g.path("displayName").asText());
    assertThat(r.has("members")).isFalse();
  }

  @Test
  void t14FilterForAnExistingGroupExcludingMembers() {
    JsonNode g = createGroup(createUser().path("id").asText());
    JsonNode list = filterGroups("displayName eq \"" + g.path("displayName").asText() + "\"",
        "&excludedAttributes=members");
    assertThat(list.path("totalResults").asInt()).isEqualTo(1);
    assertThat(list.path("Resources").get(0).has("members")).isFalse();
  }

  @Test
  void t15FilterForAnExistingGroup() {
    JsonNode g = createGroup();
    JsonNode list = filterGroups("displayName eq \"" + g.path("displayName").asText() + "\"", "");
    assertThat(list.path("Resources").get(0).path("id").asText()).isEqualTo(g.path("id").asText());
  }

  @Test
  void t16FilterForANonExistingGroup() {
    assertThat(filterGroups("displayName eq \"No " + word() + "\"", "").path("totalResults").asInt()).isZero();
  }

  @Test
  void t17FilterForAnExistingGroupWithADifferentCase() {
    JsonNode g = createGroup();
    JsonNode list = filterGroups("displayName eq \"" + g.path("displayName").asText().toLowerCase(Locale.ROOT) + "\"", "");
    assertThat(list.path("totalResults").asInt()).isEqualTo(1);
  }

  @Test
  void t18CreateANewGroup() {
    JsonNode g = createGroup();
    assertThat(g.path("id").asText()).isNotBlank();
    assertThat(g.path("meta").path("resourceType").asText()).isEqualTo("Group");
  }

  @Test
  void t19CreateADuplicateGroupIs409() {
    JsonNode g = createGroup();
    Response dup = http.post("/Groups", "{\"schemas\":[\"" + ScimSchemas.CORE_GROUP + "\"],\"displayName\":\""
        + g.path("displayName").asText() + "\"}");
    assertThat(dup.status()).isEqualTo(409);
  }

  @Test
  void t20PatchGroupReplaceAttributes() {
    JsonNode g = createGroup();
    String externalId = java.util.UUID.randomUUID().toString();
    Response r = http.patch("/Groups/" + g.path("id").asText(),
        patch(op("Replace", null, "{\"externalId\":\"" + externalId + "\"}")));
    assertThat(r.status()).isIn(200, 204);
    assertThat(http.get("/Groups/" + g.path("id").asText()).json().path("externalId").asText()).isEqualTo(externalId);
  }

  @Test
  void t21UpdateGroupDisplayName() {
    JsonNode g = createGroup();
    String renamed = "Renamed " + word();
    Response r = http.patch("/Groups/" + g.path("id").asText(),
        patch(op("Replace", null, "{\"displayName\":\"" + renamed + "\"}")));
    assertThat(r.status()).isIn(200, 204);
    assertThat(filterGroups("displayName eq \"" + renamed + "\"", "").path("totalResults").asInt()).isEqualTo(1);
  }

  @Test
  void t22PatchGroupAddMember() {
    JsonNode g = createGroup();
    String userId = createUser().path("id").asText();
    Response r = http.patch("/Groups/" + g.path("id").asText(),
        patch(op("replace", "members", "[{\"value\":\"" + userId + "\"}]")));
    assertThat(r.status()).isIn(200, 204);
    assertThat(memberIds(g.path("id").asText())).containsExactly(userId);
  }

  @Test
  void t23PatchGroupRemoveMember() {
    String stay = createUser().path("id").asText();
    String leave = createUser().path("id").asText();
    JsonNode g = createGroup(stay, leave);
    Response r = http.patch("/Groups/" + g.path("id").asText(),
        patch("{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + leave + "\\\"]\"}"));
    assertThat(r.status()).isIn(200, 204);
    assertThat(memberIds(g.path("id").asText())).containsExactly(stay);
  }

  @Test
  void t24DeleteAGroupThenItIs404() {
    JsonNode g = createGroup();
    assertThat(http.delete("/Groups/" + g.path("id").asText()).status()).isEqualTo(204);
    assertThat(http.get("/Groups/" + g.path("id").asText()).status()).isEqualTo(404);
  }

  // ---- the 7 preview tests

  @Test
  void p1PatchUserWithMultipleOpsOnDifferentAttributes() {
    JsonNode u = createUser();
    JsonNode r = patchUser(u.path("id").asText(),
        op("replace", "displayName", "\"Multi One\""),
        op("add", "nickName", "\"multi\""),
        op("replace", "active", "false")).json();
    assertThat(r.path("displayName").asText()).isEqualTo("Multi One");
    assertThat(r.path("nickName").asText()).isEqualTo("multi");
    assertThat(r.path("active").asBoolean(true)).isFalse();
  }

  @Test
  void p2PatchUserWithMultipleOpsOnTheSameAttributeAppliesThemInOrder() {
    JsonNode u = createUser();
    JsonNode r = patchUser(u.path("id").asText(),
        op("replace", "displayName", "\"First\""),
        op("replace", "displayName", "\"Second\"")).json();
    assertThat(r.path("displayName").asText()).isEqualTo("Second");
  }

  @Test
  void p3DeleteANonExistentUserIs404() {
    assertThat(http.delete("/Users/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
  }

  @Test
  void p4DeleteTheSameUserTwiceIs204Then404() {
    JsonNode u = createUser();
    assertThat(http.delete("/Users/" + u.path("id").asText()).status()).isEqualTo(204);
    assertThat(http.delete("/Users/" + u.path("id").asText()).status()).isEqualTo(404);
  }

  @Test
  void p5PatchGroupAddAndRemoveTheSameMemberInOneRequest() {
    JsonNode g = createGroup();
    String userId = createUser().path("id").asText();
    Response r = http.patch("/Groups/" + g.path("id").asText(), patch(
        op("Add", "members", "[{\"$ref\":null,\"value\":\"" + userId + "\"}]"),
        op("Remove", "members", "[{\"value\":\"" + userId + "\"}]")));
    assertThat(r.status()).isIn(200, 204);
    assertThat(memberIds(g.path("id").asText())).isEmpty();
  }

  @Test
  void p6DeleteANonExistentGroupIs404() {
    assertThat(http.delete("/Groups/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
  }

  @Test
  void p7DeleteTheSameGroupTwiceIs204Then404() {
    JsonNode g = createGroup();
    assertThat(http.delete("/Groups/" + g.path("id").asText()).status()).isEqualTo(204);
    assertThat(http.delete("/Groups/" + g.path("id").asText()).status()).isEqualTo(404);
  }
}
