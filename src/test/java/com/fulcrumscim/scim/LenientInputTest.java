package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lenient where an IdP admin's ordinary mapping choices would otherwise stop provisioning:
 * unknown attributes and sub-attributes are ignored (logged once, never kept), endpoint names
 * match in any case. Type errors on known attributes stay 400 (BadInputTest).
 */
class LenientInputTest {
  @TempDir Path dir;
  ScimTestServer server;
  ScimHttp http;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @BeforeEach
  void start() {
    server = ScimTestServer.start(dir);
    http = server.http();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anUnknownAttributeIsIgnoredNeitherStoredNorEchoedAndLoggedOncePerName() throws Exception {
    // what the journal keeps of it: JournalingTest
    String misspelt = "\"adreses\":[{\"streetAddress\":\"secret-street-1\"}],\"active\":true";
    Response created = http.post("/Users", user("lenient@example.com").replace("\"active\":true", misspelt));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    http.put("/Users/" + created.json().path("id").asText(),
        user("lenient@example.com").replace("\"active\":true", misspelt.replace("-1", "-2")));
    assertThat(created.text()).doesNotContain("adreses").doesNotContain("secret-street");
    assertThat(http.get("/Users/" + created.json().path("id").asText()).text()).doesNotContain("adreses");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.database());
        ResultSet rs = c.createStatement().executeQuery("SELECT doc FROM scim_user")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).as("the desired state").contains("lenient@example.com").doesNotContain("adreses");
    }
    assertThat(logs.events().stream().filter(e -> e.getFormattedMessage().contains("adreses")))
        .singleElement().satisfies(e -> {
          assertThat(e.getLevel()).isEqualTo(Level.INFO);
          assertThat(e.getFormattedMessage()).doesNotContain("secret-street");
        });
  }

  @Test
  void aDeactivationBesideAnUnknownAttributeLandsAndTheAttributeIsNotStored() throws Exception {
    String id = http.post("/Users", user("leaver@example.com")).json().path("id").asText();
    Response r = http.patch("/Users/" + id, patch("{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}",
        "{\"op\":\"Replace\",\"path\":\"costCenter\",\"value\":\"CC-1\"}"));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(storedDoc(id)).contains("\"active\":false").doesNotContain("costCenter").doesNotContain("CC-1");
  }

  @Test
  void aPathlessDeactivationWithAnUnknownKeyLandsAndTheKeyIsNotStored() throws Exception {
    String id = http.post("/Users", user("pathless-leaver@example.com")).json().path("id").asText();
    Response r = http.patch("/Users/" + id,
        patch("{\"op\":\"replace\",\"value\":{\"active\":false,\"costCenter\":\"CC-1\"}}"));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(storedDoc(id)).contains("\"active\":false").doesNotContain("costCenter").doesNotContain("CC-1");
  }

  @Test
  void aPathlessDeactivationThatEchoesMetaDeactivatesAndIgnoresMeta() throws Exception {
    String id = http.post("/Users", user("meta-leaver@example.com")).json().path("id").asText();
    Response r = http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"active\":false,"
        + "\"meta\":{\"resourceType\":\"User\",\"version\":\"W/\\\"99\\\"\"},\"groups\":[{\"value\":\"g1\"}]}}"));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("active").asBoolean()).isFalse();
    assertThat(storedDoc(id)).contains("\"active\":false").doesNotContain("\"99");
  }

  @Test
  void oktasPathlessRenameIsAppliedWhateverIdItCarries() {
    String id = http.post("/Groups", group("Before")).json().path("id").asText();
    Response r = http.patch("/Groups/" + id, patch("{\"op\":\"replace\",\"value\":{\"id\":\"" + id.toUpperCase()
        + "\",\"displayName\":\"After\"}}"));
    assertThat(r.status()).as(r.text()).isBetween(200, 204);
    Response now = http.get("/Groups/" + id);
    assertThat(now.json().path("displayName").asText()).isEqualTo("After");
    assertThat(now.json().path("id").asText()).isEqualTo(id);
  }

  @Test
  void anOperationWhosePathIsAReadOnlyAttributeIsStillMutability() {
    String id = http.post("/Users", user("explicit@example.com")).json().path("id").asText();
    Response r = http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"path\":\"meta.resourceType\",\"value\":\"Group\"}",
        "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Explicit\"}"));
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.json().path("scimType").asText()).isEqualTo("mutability");
    assertThat(http.get("/Users/" + id).json().path("displayName").asText()).isNotEqualTo("Explicit");
  }

  static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
  static final String ACME = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";

  @Test
  void aRoleSentAsAnArrayOfOneStringIsThatRoleWhereverItIs() throws Exception {
    Response top = http.post("/Users", user("role-top@example.com").replace("\"active\":true",
        "\"active\":true,\"role\":[\"Manager\"]"));
    assertThat(top.status()).as(top.text()).isEqualTo(201);
    assertThat(top.json().path("role").asText()).isEqualTo("Manager");
    Response enterprise = http.post("/Users", user("role-ent@example.com").replace("\"active\":true",
        "\"active\":true,\"" + ENTERPRISE + "\":{\"role\":[\"Standard User\"]}"));
    assertThat(enterprise.status()).as(enterprise.text()).isEqualTo(201);
    assertThat(enterprise.json().path(ENTERPRISE).path("role").asText()).isEqualTo("Standard User");
    Response custom = http.post("/Users", user("role-acme@example.com").replace("\"active\":true",
        "\"active\":true,\"" + ACME + "\":{\"Role\":[\"Record Creator\"]}"));
    assertThat(custom.status()).as(custom.text()).isEqualTo(201);
    assertThat(custom.json().path(ACME).path("Role").asText()).isEqualTo("Record Creator");
    String id = top.json().path("id").asText();
    Response patched = http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"path\":\"role\",\"value\":[\"Owner\"]}"));
    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    assertThat(patched.json().path("role").asText()).isEqualTo("Owner");
    assertThat(storedDoc(id)).contains("\"role\":\"Owner\"");
  }

  @Test
  void aRoleArrayOfSeveralValuesIs400InvalidValueNamingRole() {
    for (String role : new String[] {"\"role\":[\"Manager\",\"Owner\"]",
        "\"" + ENTERPRISE + "\":{\"role\":[\"Manager\",\"Owner\"]}", "\"" + ACME + "\":{\"role\":[\"A\",\"B\"]}"}) {
      Response r = http.post("/Users", user("roles@example.com").replace("\"active\":true", "\"active\":true," + role));
      assertThat(r.status()).as(r.text()).isEqualTo(400);
      assertThat(r.json().path("scimType").asText()).isEqualTo("invalidValue");
      assertThat(r.json().path("detail").asText()).contains("role").contains("2 values");
    }
    assertThat(http.get("/Users?count=0").json().path("totalResults").asInt()).isZero();
  }

  @Test
  void anUnknownPatchAttributeIsLoggedOnceByNameNotValueAsOnAPost() {
    String id = http.post("/Users", user("warned@example.com")).json().path("id").asText();
    for (int i = 0; i < 2; i++) {
      http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"path\":\"costCenterX\",\"value\":\"CC-secret\"}",
          "{\"op\":\"replace\",\"value\":{\"costcenterx\":\"CC-secret\"}}"));
    }
    assertThat(logs.events().stream().filter(e -> e.getFormattedMessage().toLowerCase(java.util.Locale.ROOT).contains("costcenterx")))
        .singleElement().satisfies(e -> assertThat(e.getFormattedMessage()).contains("ignoring unknown").doesNotContain("CC-secret"));
  }

  @Test
  void anExtensionUnderAUrnNoSchemaDescribesIsKeptAsSentByPostAndPatch() {
    String id = http.post("/Users", user("custom@example.com").replace("\"active\":true",
        "\"active\":true,\"urn:okta:custom:1.0:User\":{\"costCenter\":\"42\"}")).json().path("id").asText();
    Response patched = http.patch("/Users/" + id, patch("{\"op\":\"add\",\"path\":\"urn:okta:other:1.0:User\",\"value\":{\"site\":\"Oslo\"}}"));
    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    assertThat(patched.json().path("urn:okta:custom:1.0:User").path("costCenter").asText()).isEqualTo("42");
    assertThat(patched.json().path("urn:okta:other:1.0:User").path("site").asText()).isEqualTo("Oslo");
    assertThat(patched.json().path("schemas").toString()).contains("urn:okta:custom:1.0:User", "urn:okta:other:1.0:User");
  }

  @Test
  void anObjectAddedAtAnAttributeOfAHeldCustomExtensionBecomesThatAttribute() throws Exception {
    String id = http.post("/Users", user("address@example.com").replace("\"active\":true",
        "\"active\":true,\"urn:acme:ext:1.0:User\":{\"site\":\"A\"}")).json().path("id").asText();

    Response patched = http.patch("/Users/" + id,
        patch("{\"op\":\"add\",\"path\":\"urn:acme:ext:1.0:User:address\",\"value\":{\"city\":\"Oslo\"}}"));

    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    assertThat(patched.json().path("urn:acme:ext:1.0:User").path("address").path("city").asText()).isEqualTo("Oslo");
    assertThat(patched.json().path("urn:acme:ext:1.0:User").path("site").asText()).isEqualTo("A");
    assertThat(patched.json().path("schemas").toString()).doesNotContain("urn:acme:ext:1.0:User:address");
    assertThat(storedDoc(id)).doesNotContain("urn:acme:ext:1.0:User:address");
  }

  @Test
  void anObjectInAPathlessValueAtAnAttributeOfAHeldCustomExtensionBecomesThatAttribute() {
    String id = http.post("/Users", user("pathless-address@example.com").replace("\"active\":true",
        "\"active\":true,\"urn:acme:ext:1.0:User\":{\"site\":\"A\"}")).json().path("id").asText();

    Response patched = http.patch("/Users/" + id,
        patch("{\"op\":\"replace\",\"value\":{\"urn:acme:ext:1.0:User:address\":{\"city\":\"Oslo\"}}}"));

    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    assertThat(patched.json().path("urn:acme:ext:1.0:User").path("address").path("city").asText()).isEqualTo("Oslo");
    assertThat(patched.json().has("urn:acme:ext:1.0:User:address")).as(patched.text()).isFalse();
  }

  @Test
  void aMalformedUrnKeyInAPostIsAnUnknownAttributeNeitherStoredNorASchema() throws Exception {
    Response created = http.post("/Users", user("badurn@example.com").replace("\"active\":true",
        "\"active\":true,\"urn:foo:bar[x eq \\\"y\\\"]\":{\"a\":1},\"urn:foo:bar\\nX\":{\"b\":2}"));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.json().path("schemas").toString()).doesNotContain("urn:foo");
    assertThat(storedDoc(created.json().path("id").asText())).doesNotContain("urn:foo");
  }

  @Test
  void aPatchWhoseMembersAreEachNamedOnceInAnyCaseIsApplied() {
    String id = http.post("/Users", user("cases@example.com")).json().path("id").asText();
    Response patched = http.patch("/Users/" + id, "{\"SCHEMAS\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
        + "\"operations\":[{\"OP\":\"Replace\",\"PATH\":\"displayName\",\"Value\":\"Cased\"},"
        + "{\"Op\":\"replace\",\"VALUE\":{\"Active\":\"False\"}}]}");
    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    assertThat(patched.json().path("displayName").asText()).isEqualTo("Cased");
    assertThat(patched.json().path("active").asBoolean()).isFalse();
  }

  /** The user's desired state as stored, not as rendered. */
  private String storedDoc(String id) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.database());
        java.sql.PreparedStatement q = c.prepareStatement("SELECT doc FROM scim_user WHERE id = ?")) {
      q.setString(1, id);
      try (ResultSet rs = q.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getString(1);
      }
    }
  }

  @Test
  void anUnknownMemberSubAttributeDoesNotRejectTheGroupPatch() {
    String u = http.post("/Users", user("member@example.com")).json().path("id").asText();
    String g = http.post("/Groups", group("Lenient")).json().path("id").asText();
    Response r = http.patch("/Groups/" + g, patch("{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u
        + "\",\"displayName\":\"Member\"}]}"));
    assertThat(r.status()).as(r.text()).isBetween(200, 204);
    assertThat(http.get("/Groups/" + g).json().path("members").get(0).path("value").asText()).isEqualTo(u);
  }

  @Test
  void endpointNamesMatchInAnyCaseAndStillNeedTheToken() {
    Response created = http.post("/users", user("lower@example.com"));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String id = created.json().path("id").asText();
    assertThat(http.get("/USERS/" + id).json().path("userName").asText()).isEqualTo("lower@example.com");
    assertThat(http.get("/groups").status()).isEqualTo(200);
    ScimHttp upper = new ScimHttp(server.baseUrl().replace("/scim/v2", "/SCIM/V2"), "Bearer " + ScimTestServer.TOKEN);
    assertThat(upper.get("/Users/" + id).status()).isEqualTo(200);
    assertThat(upper.withAuthorization(null).get("/users/" + id).status()).as("no token").isEqualTo(401);
    assertThat(upper.withAuthorization(null).get("/Schemas").status()).as("no token").isEqualTo(401);
  }
}
