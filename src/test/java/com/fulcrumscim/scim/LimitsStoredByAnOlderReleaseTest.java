package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.StoredDocs;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Releases before the limits of 4 and 5 December 2026 stored any number of values in a
 * multi-valued attribute, and a custom extension's role as an array of several. The limits are for
 * what a request brings: such a user is still changed, and deactivated, by the requests Okta and
 * Entra send, which leave those values alone (a PATCH) or echo them (Okta's PUT); a request may
 * not grow them further.
 */
class LimitsStoredByAnOlderReleaseTest {
  static final String CUSTOM = "urn:okta:custom:1.0:User";
  static final int STORED_ENTITLEMENTS = 101;

  @TempDir Path dir;
  ScimTestServer server;
  ScimHttp http;
  String id;

  /** The store under test; the ...OnPostgresTest subclass gives a PostgreSQL one. */
  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @BeforeEach
  void start() {
    server = ScimTestServer.start(store(), "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    http = server.http();
    id = http.post("/Users", user("ada@example.com")).json().path("id").asText();
  }

  /** Rewrites the user's document as an older release stored it, with {@code change} applied. */
  void storedByAnOlderRelease(Consumer<ObjectNode> change) {
    try (Database db = Database.openExisting(server.store().location(), Database.Access.READ_WRITE)) {
      db.write(c -> {
        ObjectNode doc = StoredDocs.user(c, id);
        change.accept(doc);
        try (PreparedStatement ps = c.prepareStatement("UPDATE scim_user SET doc = ? WHERE id = ?")) {
          ps.setString(1, doc.toString());
          ps.setString(2, id);
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        return null;
      });
    }
  }

  static void entitlements(ObjectNode doc) {
    ArrayNode entitlements = doc.putArray("entitlements");
    for (int i = 0; i < STORED_ENTITLEMENTS; i++) {
      entitlements.addObject().put("value", "app-" + i);
    }
  }

  static void customRoles(ObjectNode doc) {
    doc.withArray("schemas").add(CUSTOM);
    doc.putObject(CUSTOM).putArray("role").add("Manager").add("Owner");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void oktasDeactivationOfAUserWithMoreValuesThanTheLimitLands() {
    storedByAnOlderRelease(LimitsStoredByAnOlderReleaseTest::entitlements);

    Response r = http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"active\":false}}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("active").asBoolean()).isFalse();
    assertThat(r.json().path("entitlements").size()).isEqualTo(STORED_ENTITLEMENTS);
  }

  @Test
  void oktasDeactivationOfAUserWithACustomRoleArrayLands() {
    storedByAnOlderRelease(LimitsStoredByAnOlderReleaseTest::customRoles);

    Response r = http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"active\":false}}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("active").asBoolean()).isFalse();
    assertThat(r.json().path(CUSTOM).path("role").toString()).isEqualTo("[\"Manager\",\"Owner\"]");
  }

  @Test
  void aPatchOfAnotherAttributeOfAUserWithMoreValuesThanTheLimitIsAccepted() {
    storedByAnOlderRelease(LimitsStoredByAnOlderReleaseTest::entitlements);

    Response r = http.patch("/Users/" + id,
        patch("{\"op\":\"Replace\",\"path\":\"displayName\",\"value\":\"Ada Lovelace\"}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("displayName").asText()).isEqualTo("Ada Lovelace");
    assertThat(r.json().path("entitlements").size()).isEqualTo(STORED_ENTITLEMENTS);
  }

  @Test
  void aPatchOfAnotherAttributeOfAUserWithACustomRoleArrayIsAccepted() {
    storedByAnOlderRelease(LimitsStoredByAnOlderReleaseTest::customRoles);

    Response r = http.patch("/Users/" + id,
        patch("{\"op\":\"Replace\",\"path\":\"displayName\",\"value\":\"Ada Lovelace\"}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("displayName").asText()).isEqualTo("Ada Lovelace");
    assertThat(r.json().path(CUSTOM).path("role").size()).isEqualTo(2);
  }

  @Test
  void oktasPutEchoingWhatItReadIsAccepted() {
    storedByAnOlderRelease(doc -> {
      entitlements(doc);
      customRoles(doc);
    });
    ObjectNode echo = (ObjectNode) http.get("/Users/" + id).json();
    echo.put("displayName", "Ada Lovelace");

    Response r = http.put("/Users/" + id, echo.toString());

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("displayName").asText()).isEqualTo("Ada Lovelace");
    assertThat(r.json().path("entitlements").size()).isEqualTo(STORED_ENTITLEMENTS);
    assertThat(r.json().path(CUSTOM).path("role").size()).isEqualTo(2);
  }

  @Test
  void aPatchMayNotGrowTheStoredValuesFurther() {
    storedByAnOlderRelease(LimitsStoredByAnOlderReleaseTest::entitlements);

    Response r = http.patch("/Users/" + id,
        patch("{\"op\":\"add\",\"path\":\"entitlements\",\"value\":[{\"value\":\"one-more\"}]}"));

    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.json().path("scimType").asText()).isEqualTo("tooMany");
  }

  @Test
  void aRoleArrayTheRequestBringsIsStillRefused() {
    storedByAnOlderRelease(LimitsStoredByAnOlderReleaseTest::customRoles);

    Response r = http.patch("/Users/" + id,
        patch("{\"op\":\"replace\",\"path\":\"" + CUSTOM + ":role\",\"value\":[\"Owner\",\"Admin\"]}"));

    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.json().path("detail").asText()).contains(CUSTOM + ":role holds 2 values");
  }
}
