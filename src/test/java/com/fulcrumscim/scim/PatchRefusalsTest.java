package com.fulcrumscim.scim;

import static com.fulcrumscim.scim.BadInputTest.assertScimError;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.io.TempDir;

/**
 * A PATCH the bridge cannot read one way only is 400, and changes nothing: not the user, not its
 * schemas, not the journal (which would show a change that never happened).
 */
class PatchRefusalsTest {
  @TempDir Path dir;
  ScimTestServer server;
  ScimHttp http;
  String id;
  String asCreated;

  @BeforeEach
  void start() {
    server = ScimTestServer.start(dir);
    http = server.http();
    Response created = http.post("/Users", user("refused@example.com"));
    id = created.json().path("id").asText();
    asCreated = created.json().toString();
  }

  @AfterEach
  void afterEachTheUserAndTheJournalAreAsCreated() throws Exception {
    try {
      assertThat(http.get("/Users/" + id).json().toString()).isEqualTo(asCreated);
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.database());
          ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM journal")) {
        rs.next();
        assertThat(rs.getLong(1)).as("journal rows").isEqualTo(1);
      }
    } finally {
      server.close();
    }
  }

  Response patchUser(String... operations) {
    return http.patch("/Users/" + id, patch(operations));
  }

  @Test
  void aUrnPathWithAValueFilterIs400InvalidPath() {
    assertScimError(patchUser("{\"op\":\"replace\",\"path\":\"urn:foo:bar[x eq \\\"y\\\"]\",\"value\":{\"a\":1}}"), 400, "invalidPath");
  }

  @Test
  void aUrnPathWithALineBreakIs400InvalidPath() {
    assertScimError(patchUser("{\"op\":\"add\",\"path\":\"urn:foo:bar\\nX\",\"value\":{\"a\":1}}"), 400, "invalidPath");
  }

  @Test
  void aMalformedUrnKeyOfAPathlessValueIs400InvalidPath() {
    assertScimError(patchUser("{\"op\":\"add\",\"value\":{\"urn:foo:bar baz\":{\"a\":1}}}"), 400, "invalidPath");
  }

  @Test
  void anAttributeUnderAMalformedUrnIs400InvalidPath() {
    assertScimError(patchUser("{\"op\":\"replace\",\"path\":\"urn:foo::bar:costCenter\",\"value\":\"42\"}"), 400, "invalidPath");
  }

  static final String PATCH_OP = "[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"]";

  static void assertSaysTheNameTwice(Response r, String first, String second) {
    assertScimError(r, 400, "invalidSyntax");
    assertThat(r.json().path("detail").asText()).contains("'" + first + "'", "'" + second + "'");
  }

  @Test
  void operationsInTwoCasesIs400InvalidSyntaxNamingBoth() {
    assertSaysTheNameTwice(http.patch("/Users/" + id, "{\"schemas\":" + PATCH_OP + ","
        + "\"Operations\":[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Applied\"}],"
        + "\"operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}"), "Operations", "operations");
  }

  @Test
  void schemasInTwoCasesIs400InvalidSyntax() {
    assertSaysTheNameTwice(http.patch("/Users/" + id, "{\"schemas\":" + PATCH_OP + ",\"SCHEMAS\":[\"urn:x:y\"],"
        + "\"Operations\":[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"X\"}]}"), "schemas", "SCHEMAS");
  }

  @Test
  void anOpInTwoCasesIs400InvalidSyntax() {
    assertSaysTheNameTwice(patchUser("{\"op\":\"replace\",\"OP\":\"remove\",\"path\":\"displayName\",\"value\":\"X\"}"),
        "op", "OP");
  }

  @Test
  void aPathInTwoCasesIs400InvalidSyntax() {
    assertSaysTheNameTwice(patchUser("{\"op\":\"replace\",\"path\":\"displayName\",\"Path\":\"nickName\",\"value\":\"X\"}"),
        "path", "Path");
  }

  @Test
  void aValueInTwoCasesIs400InvalidSyntax() {
    assertSaysTheNameTwice(patchUser("{\"op\":\"replace\",\"path\":\"active\",\"value\":false,\"VALUE\":true}"),
        "value", "VALUE");
  }

  @Test
  void aPathlessValueNamingOneAttributeInTwoCasesIs400InvalidSyntax() {
    assertSaysTheNameTwice(patchUser("{\"op\":\"replace\",\"value\":{\"active\":false,\"ACTIVE\":true}}"), "active", "ACTIVE");
  }

  @Test
  void anExtensionsValueNamingOneAttributeInTwoCasesIs400InvalidSyntax() {
    assertSaysTheNameTwice(patchUser("{\"op\":\"add\",\"path\":\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\","
        + "\"value\":{\"department\":\"A\",\"Department\":\"B\"}}"), "department", "Department");
  }
}
