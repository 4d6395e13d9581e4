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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The email a user gets in Fulcrum (the primary email, else the first, else the userName) that is
 * no email address is 400 invalidValue, not 201 and a work row DEAD at Fulcrum's 422 where the
 * identity provider never sees it (review-s8d F8). Only a changed one: a user stored with one
 * still changes, and a deactivation beside a new one lands alone.
 */
class ImpossibleEmailTest {
  @TempDir Path dir;
  ScimTestServer server;
  ScimHttp http;

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
  void aNewUserWhoseEmailIsNoAddressIs400InvalidValueAndNotStored() {
    for (String body : new String[] {user("notanemail", "not an email", "N", "E", true),
        user("?", "?", "Q", "M", true), user("two@at@example.com", "two@at@example.com", "T", "A", true)}) {
      Response r = http.post("/Users", body);

      assertThat(r.status()).as(r.text()).isEqualTo(400);
      assertThat(r.json().path("scimType").asText()).isEqualTo("invalidValue");
      assertThat(r.json().path("detail").asText()).contains("not an email address");
    }
    assertThat(http.get("/Users").json().path("totalResults").asInt()).isZero();
  }

  @Test
  void aNewUserWithoutEmailsWhoseUserNameIsNoAddressIs400() {
    Response r = http.post("/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"jdoe\"}");

    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.json().path("detail").asText()).contains("'jdoe'", "userName");
  }

  @Test
  void anEmailFulcrumDoesNotGetIsNotChecked() {
    Response r = http.post("/Users", user("sec@example.com").replace("\"type\":\"work\"}",
        "\"type\":\"work\"},{\"value\":\"home, no address\",\"type\":\"home\"}"));

    assertThat(r.status()).as(r.text()).isEqualTo(201);
  }

  @Test
  void aDeactivationBesideANewImpossibleEmailLandsAlone() {
    String id = http.post("/Users", user("leaver@example.com")).json().path("id").asText();

    Response r = http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"active\":false,"
        + "\"emails\":[{\"value\":\"leaver at example\",\"type\":\"work\",\"primary\":true}]}}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("active").asBoolean()).isFalse();
  }

  /** review-s8f F4: an inactive user never goes to Fulcrum; Entra counts a refusal towards quarantining its job. */
  @Test
  void aDisabledUserWhoseUserNameIsNoAddressIsAccepted() {
    Response r = http.post("/Users",
        "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"jdoe\",\"active\":false}");

    assertThat(r.status()).as(r.text()).isEqualTo(201);
  }

  @Test
  void aReactivationWithAnImpossibleEmailIs400() {
    String id = http.post("/Users",
        "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"jdoe\",\"active\":false}")
        .json().path("id").asText();

    Response r = http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"active\":true}}"));

    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.json().path("detail").asText()).contains("'jdoe'");
  }

  @Test
  void aUserStoredWithAnImpossibleEmailStillChanges() {
    String id = http.post("/Users", user("old@example.com")).json().path("id").asText();
    server.close();
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      db.write(c -> {
        // as an older release stored it
        ObjectNode doc = StoredDocs.user(c, id);
        ((ObjectNode) doc.path("emails").get(0)).put("value", "old at example");
        try (PreparedStatement ps = c.prepareStatement("UPDATE scim_user SET doc = ? WHERE id = ?")) {
          ps.setString(1, doc.toString());
          ps.setString(2, id);
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        return null;
      });
    }
    server = ScimTestServer.start(dir);
    http = server.http();
    ObjectNode okta = (ObjectNode) http.get("/Users/" + id).json();
    ((ObjectNode) okta.path("name")).put("givenName", "Renamed");

    Response r = http.put("/Users/" + id, okta.toString());

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().at("/name/givenName").asText()).isEqualTo("Renamed");
    assertThat(http.get("/Users?filter=" + q("name.givenName eq \"Renamed\"")).json().path("totalResults").asInt())
        .isEqualTo(1);
  }
}
