package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.StoredDocs;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Releases before NUL was refused stored it in SQLite. Refusing it is for what clients send: a
 * user already holding one is still changed, and deactivated, by the PATCHes Okta sends.
 */
class NulStoredByAnOlderReleaseTest {
  @TempDir Path dir;

  @Test
  void aUserWhoseStoredExternalIdHoldsANulIsStillDeactivatedByOktasPatch() {
    String id;
    try (ScimTestServer server = ScimTestServer.start(dir)) {
      id = server.http().post("/Users", user("ada@example.com")).json().path("id").asText();
    }
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      db.write(c -> {
        // as an older release wrote it: the document's JSON text, and the indexed column
        ObjectNode doc = StoredDocs.user(c, id);
        doc.put("externalId", "ext\0x");
        try (PreparedStatement ps = c.prepareStatement("UPDATE scim_user SET doc = ?, external_id = ? WHERE id = ?")) {
          ps.setString(1, doc.toString());
          ps.setString(2, "ext\0x");
          ps.setString(3, id);
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        return null;
      });
    }
    try (ScimTestServer server = ScimTestServer.start(dir)) {
      Response r = server.http().patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"active\":false}}"));
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.json().path("active").asBoolean()).isFalse();
      assertThat(r.json().path("externalId").asText()).isEqualTo("ext\0x");
    }
  }
}
