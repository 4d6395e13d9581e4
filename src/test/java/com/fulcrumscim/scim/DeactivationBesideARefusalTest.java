package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.StoredDocs;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request that deactivates a user lands when the rest of it is refused: Okta deactivates by a
 * PUT of its whole profile, Entra sends every changed attribute in the PATCH that deactivates, and
 * a value the bridge refused once (a second role, a tab in a name from an HR feed, a userName
 * taken by someone who left) is in each of them. Only the deactivation is stored, journaled and
 * queued as a removal; the answer is the user deactivated, and a WARN line names the user and the
 * refusal. A reactivation is not one: refused, it stays refused.
 */
class DeactivationBesideARefusalTest {
  static final String TWO_ROLES = "\"role\":[\"Manager\",\"Owner\"]";

  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
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
    id = http.post("/Users", user("carol@example.com")).json().path("id").asText();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void oktasPutDeactivatingAUserWithTwoRolesStoresOnlyTheDeactivation() {
    ObjectNode before = storedUser(id);
    long journaled = journalRows(id);
    ObjectNode okta = oktasProfile();
    okta.putArray("role").add("Manager").add("Owner");

    Response r = http.put("/Users/" + id, okta.put("active", false).toString());

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("active").asBoolean()).isFalse();
    assertOnlyTheDeactivationStored(before, journaled, "role holds 2 values");
  }

  @Test
  void entrasPatchDeactivatingBesideADisplayNameWithATabStoresOnlyTheDeactivation() {
    ObjectNode before = storedUser(id);
    long journaled = journalRows(id);

    Response r = http.patch("/Users/" + id, patch("{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}",
        "{\"op\":\"Replace\",\"path\":\"displayName\",\"value\":\"Carol\\tX (Contractor)\"}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("active").asBoolean()).isFalse();
    assertOnlyTheDeactivationStored(before, journaled, "displayName must not contain control characters");
  }

  @Test
  void oktasPathlessPatchDeactivatingBesideAnEmailTooLongStoresOnlyTheDeactivation() {
    ObjectNode before = storedUser(id);
    long journaled = journalRows(id);
    String email = "c".repeat(250) + "@example.com";

    Response r = http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"active\":false,"
        + "\"emails\":[{\"value\":\"" + email + "\",\"type\":\"work\",\"primary\":true}]}}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertOnlyTheDeactivationStored(before, journaled, "emails.value is 262 characters long");
  }

  @Test
  void oktasPutDeactivatingUnderAUserNameTakenByOneWhoLeftStoresOnlyTheDeactivation() {
    String bob = http.post("/Users", user("bob@example.com")).json().path("id").asText();
    http.patch("/Users/" + bob, patch("{\"op\":\"replace\",\"value\":{\"active\":false}}"));
    ObjectNode before = storedUser(id);
    long journaled = journalRows(id);

    Response r = http.put("/Users/" + id, oktasProfile().put("userName", "bob@example.com").put("active", false).toString());

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("userName").asText()).isEqualTo("carol@example.com");
    assertOnlyTheDeactivationStored(before, journaled, "userName 'bob@example.com' is already taken");
  }

  @Test
  void aPatchDeactivatingByTheCoreSchemasPathBesideATakenUserNameStoresOnlyTheDeactivation() {
    http.post("/Users", user("dave@example.com"));
    ObjectNode before = storedUser(id);
    long journaled = journalRows(id);

    Response r = http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"path\":\"urn:ietf:params:scim:schemas:core:2.0:User\","
        + "\"value\":{\"active\":false,\"userName\":\"dave@example.com\"}}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("active").asBoolean()).isFalse();
    assertOnlyTheDeactivationStored(before, journaled, "userName 'dave@example.com' is already taken");
  }

  /** Its Operations mean what they say whatever schema it names: refused 400 on that, it deactivated no one. */
  @Test
  void aPatchDeactivatingUnderAnotherSchemaThanThePatchOpStoresOnlyTheDeactivation() {
    ObjectNode before = storedUser(id);
    long journaled = journalRows(id);

    Response r = http.patch("/Users/" + id, "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
        + "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}");

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("active").asBoolean()).isFalse();
    assertOnlyTheDeactivationStored(before, journaled, "'schemas' must contain urn:ietf:params:scim:api:messages:2.0:PatchOp");
  }

  @Test
  void aReactivationBesideARefusedValueIsStillRefused() {
    http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"active\":false}}"));
    ObjectNode okta = oktasProfile();
    okta.putArray("role").add("Manager").add("Owner");

    Response r = http.put("/Users/" + id, okta.put("active", true).toString());

    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(storedUser(id).path("active").asBoolean()).isFalse();
  }

  @Test
  void aDeactivationOfAUserInactiveAlreadyBesideARefusedValueIsRefusedAndStoresNothing() {
    http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"active\":false}}"));
    ObjectNode before = storedUser(id);
    long journaled = journalRows(id);

    Response r = http.put("/Users/" + id, oktasProfile().put("active", false).put("displayName", "Carol\tX").toString());

    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(storedUser(id)).isEqualTo(before);
    assertThat(journalRows(id)).isEqualTo(journaled);
  }

  @Test
  void aDeactivationStillRefusedIsAnErrorLineWithTheRefusal() {
    Response r = http.send("PATCH", "/Users/" + id, patch("{\"op\":\"replace\",\"path\":\"active\",\"value\":false}"),
        Map.of("If-Match", "W/\"99\""));

    assertThat(r.status()).as(r.text()).isEqualTo(412);
    assertThat(storedUser(id).path("active").asBoolean()).isTrue();
    assertThat(logs.events()).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.ERROR);
      assertThat(e.getFormattedMessage()).contains("PATCH of user " + id, "refused 412", "If-Match does not name version",
          "keeps their access");
    });
  }

  /** Entra deprovisions by DELETE, which a stale If-Match refuses as it does a deactivating PATCH (review-s8d F4). */
  @Test
  void aDeletionRefusedForAStaleIfMatchIsAnErrorLineWithTheRefusal() {
    Response r = http.send("DELETE", "/Users/" + id, null, Map.of("If-Match", "W/\"7\""));

    assertThat(r.status()).as(r.text()).isEqualTo(412);
    assertThat(http.get("/Users/" + id).status()).isEqualTo(200);
    assertThat(logs.events()).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.ERROR);
      assertThat(e.getFormattedMessage()).contains("DELETE of user " + id, "refused 412", "If-Match does not name version",
          "It deletes the user", "keeps their access", "by hand");
    });
  }

  /** Okta's AIW deactivation starts from a GET: the user as the bridge holds it, with Okta's values merged over it. */
  ObjectNode oktasProfile() {
    return (ObjectNode) http.get("/Users/" + id).json();
  }

  void assertOnlyTheDeactivationStored(ObjectNode before, long journaled, String refusal) {
    assertThat(storedUser(id)).isEqualTo(before.deepCopy().put("active", false));
    assertThat(journalRows(id)).isEqualTo(journaled + 1);
    assertThat(workRow(id)).isEqualTo("PENDING removal");
    assertThat(logs.events()).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("user " + id + ": deactivated", "the rest of the change was refused",
          refusal);
    });
  }

  ObjectNode storedUser(String user) {
    try (Database db = Database.openExisting(server.store().location(), Database.Access.READ_ONLY)) {
      return db.read(c -> StoredDocs.user(c, user));
    }
  }

  long journalRows(String user) {
    return count("SELECT count(*) FROM journal WHERE entity_id = ?", user);
  }

  /** The user's work row: its state, and "removal" when it is claimed first as a change taking access away. */
  String workRow(String user) {
    try (Database db = Database.openExisting(server.store().location(), Database.Access.READ_ONLY)) {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT state, removal FROM work WHERE entity_type = 'USER' "
            + "AND entity_id = ?")) {
          ps.setString(1, user);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) + (rs.getInt(2) == 1 ? " removal" : "") : "none";
          }
        }
      });
    }
  }

  long count(String sql, String user) {
    try (Database db = Database.openExisting(server.store().location(), Database.Access.READ_ONLY)) {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setString(1, user);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        }
      });
    }
  }
}
