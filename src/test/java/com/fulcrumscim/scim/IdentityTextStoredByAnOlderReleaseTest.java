package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimHttp.q;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.StoredDocs;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Releases before identity text was bounded and made NFC stored it as sent (on SQLite, any length;
 * a role with a line break; a decomposed userName). The rules are for what clients send: such a
 * user is still found by its name in either spelling, keeps it against a newcomer, and is changed
 * and deactivated by the requests Okta sends, which echo the values it holds.
 */
class IdentityTextStoredByAnOlderReleaseTest {
  static final String DECOMPOSED = "jose\u0301@example.com";
  static final String COMPOSED = "jos\u00e9@example.com";
  static final String LONG_EXTERNAL_ID = "e".repeat(3000);
  static final String ROLE = "Manager\nOwner";

  @TempDir Path dir;
  String id;

  @BeforeEach
  void anOlderReleaseStoredIt() {
    try (ScimTestServer server = ScimTestServer.start(dir)) {
      id = server.http().post("/Users", user("jose@example.com")).json().path("id").asText();
    }
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      db.write(c -> {
        ObjectNode doc = StoredDocs.user(c, id);
        doc.put("userName", DECOMPOSED).put("externalId", LONG_EXTERNAL_ID).put("role", ROLE);
        ((ObjectNode) doc.get("emails").get(0)).put("value", DECOMPOSED);
        try (PreparedStatement ps = c.prepareStatement("UPDATE scim_user SET doc = ?, user_name = ?, user_name_key = ?, "
            + "external_id = ?, email = ?, role = ? WHERE id = ?")) {
          ps.setString(1, doc.toString());
          ps.setString(2, DECOMPOSED);
          ps.setString(3, DECOMPOSED.toLowerCase(Locale.ROOT));
          ps.setString(4, LONG_EXTERNAL_ID);
          ps.setString(5, DECOMPOSED);
          ps.setString(6, ROLE);
          ps.setString(7, id);
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        return null;
      });
    }
  }

  @Test
  void oktasDeactivationLandsAndKeepsTheValuesAsStored() {
    try (ScimTestServer server = ScimTestServer.start(dir)) {
      Response r = server.http().patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"active\":false}}"));
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.json().path("active").asBoolean()).isFalse();
      assertThat(r.json().path("userName").asText()).isEqualTo(DECOMPOSED);
      assertThat(r.json().path("externalId").asText()).isEqualTo(LONG_EXTERNAL_ID);
      assertThat(r.json().path("role").asText()).isEqualTo(ROLE);
    }
  }

  @Test
  void oktasPutEchoingWhatItReadIsAccepted() {
    try (ScimTestServer server = ScimTestServer.start(dir)) {
      ScimHttp http = server.http();
      ObjectNode echo = (ObjectNode) http.get("/Users/" + id).json();
      echo.withObject("name").put("givenName", "José");
      Response r = http.put("/Users/" + id, echo.toString());
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.json().at("/name/givenName").asText()).isEqualTo("José");
      assertThat(r.json().path("externalId").asText()).isEqualTo(LONG_EXTERNAL_ID);
    }
  }

  @Test
  void theUserIsFoundAndKeepsItsNameInTheComposedSpelling() {
    try (ScimTestServer server = ScimTestServer.start(dir)) {
      ScimHttp http = server.http();
      Response found = http.get("/Users?filter=" + q("userName eq \"" + COMPOSED + "\""));
      assertThat(found.json().path("Resources")).extracting(u -> u.path("id").asText()).containsExactly(id);
      Response newcomer = http.post("/Users", user(COMPOSED).replace("ext-", "new-"));
      assertThat(newcomer.status()).as(newcomer.text()).isEqualTo(409);
    }
  }
}
