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
}
