package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.UserFields;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ReceiverOnly;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.StoredDocs;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A member's role is the one the client set last, wherever it put it: a client whose role mapping
 * moves to another attribute sends only the new one (a PATCH), and the old one, read first, kept
 * the member's higher role while the downgrade was answered 200.
 */
class RoleLastSetTest {
  static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
  static final String FULCRUM = "urn:ietf:params:scim:schemas:extension:fulcrum:2.0:User";

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  @RegisterExtension final ReceiverOnly scim = new ReceiverOnly();
  ScimHttp http;

  @BeforeEach
  void asOkta() {
    http = scim.http();
  }

  @Test
  void entrasPatchOfTheEnterpriseRoleDowngradesAMemberWhoseRoleWasTopLevel() {
    String id = created("\"role\":\"Manager\"");

    Response r = http.patch("/Users/" + id,
        patch("{\"op\":\"Replace\",\"path\":\"" + ENTERPRISE + ":role\",\"value\":\"Standard User\"}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(plannedRole(id)).isEqualTo("Standard User");
    ObjectNode got = (ObjectNode) http.get("/Users/" + id).json();
    assertThat(got.has("role")).as(got.toString()).isFalse();
    assertThat(got.path(ENTERPRISE).path("role").asText()).isEqualTo("Standard User");
  }

  @Test
  void oktasPathlessTopLevelRoleDowngradesAMemberWhoseRoleWasInTheFulcrumExtension() {
    String id = created("\"" + FULCRUM + "\":{\"role\":\"Manager\"}");

    Response r = http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"role\":\"Standard User\"}}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(plannedRole(id)).isEqualTo("Standard User");
    ObjectNode got = (ObjectNode) http.get("/Users/" + id).json();
    assertThat(got.has(FULCRUM)).as(got.toString()).isFalse();
    assertThat(got.path("schemas").toString()).doesNotContain(FULCRUM);
    assertThat(got.path("role").asText()).isEqualTo("Standard User");
  }

  @Test
  void entrasPrimaryRolesValueDowngradesAMemberWhoseRoleWasTopLevel() {
    String id = created("\"role\":\"Manager\"");

    Response r = http.patch("/Users/" + id,
        patch("{\"op\":\"Add\",\"path\":\"roles[primary eq \\\"True\\\"].value\",\"value\":\"Standard User\"}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(plannedRole(id)).isEqualTo("Standard User");
    ObjectNode got = (ObjectNode) http.get("/Users/" + id).json();
    assertThat(got.has("role")).as(got.toString()).isFalse();
    assertThat(got.path("roles").get(0).path("value").asText()).isEqualTo("Standard User");
  }

  @Test
  void aPutEchoingTheOldPlaceBesideTheNewOneGivesTheNewRole() {
    String id = created("\"role\":\"Manager\"");
    ObjectNode profile = (ObjectNode) http.get("/Users/" + id).json();
    profile.putObject(ENTERPRISE).put("role", "Standard User");

    Response r = http.put("/Users/" + id, profile.toString());

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(plannedRole(id)).isEqualTo("Standard User");
    assertThat(r.json().has("role")).as(r.text()).isFalse();
  }

  @Test
  void aRequestLeavingTheRoleAloneKeepsIt() {
    String id = created("\"" + FULCRUM + "\":{\"role\":\"Manager\"}");

    Response r = http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Ada L\"}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(plannedRole(id)).isEqualTo("Manager");
    assertThat(http.get("/Users/" + id).json().path(FULCRUM).path("role").asText()).isEqualTo("Manager");
  }

  @Test
  void theSameRoleSentInANewPlaceKeepsTheOldPlace() {
    String id = created("\"role\":\"Manager\"");

    http.patch("/Users/" + id, patch("{\"op\":\"Replace\",\"path\":\"" + ENTERPRISE + ":role\",\"value\":\"manager\"}"));

    ObjectNode got = (ObjectNode) http.get("/Users/" + id).json();
    assertThat(got.path("role").asText()).isEqualTo("Manager");
    assertThat(got.path(ENTERPRISE).path("role").asText()).isEqualTo("manager");
    assertThat(roleWarnings()).isZero();
  }

  @Test
  void aRequestSettingTwoDifferentRolesKeepsBothAndWarns() {
    String id = created("\"role\":\"Manager\",\"" + ENTERPRISE + "\":{\"role\":\"Standard User\"}");

    assertThat(plannedRole(id)).isEqualTo("Manager");
    assertThat(http.get("/Users/" + id).json().path(ENTERPRISE).path("role").asText()).isEqualTo("Standard User");
    assertThat(logs.events()).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("user " + id + " names different roles", "it gets 'Manager'");
    });
  }

  /** Stored before 8 December 2026: the enterprise role a PATCH set beside a stale top-level one. */
  @Test
  void aUserAnOlderReleaseStoredWithTwoRolesIsNamedInAWarningAtItsNextChange() {
    String id = created("\"role\":\"Manager\"");
    storedAsAnOlderReleaseLeftIt(id);

    Response r = http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"active\":false}}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(plannedRole(id)).isEqualTo("Manager");
    assertThat(logs.events()).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("user " + id + " names different roles", "Standard User",
          "it gets 'Manager'");
    });
  }

  @Test
  void aUserAnOlderReleaseStoredWithTwoRolesGetsTheRoleTheClientSetsNext() {
    String id = created("\"role\":\"Manager\"");
    storedAsAnOlderReleaseLeftIt(id);

    http.patch("/Users/" + id,
        patch("{\"op\":\"Replace\",\"path\":\"" + ENTERPRISE + ":role\",\"value\":\"Record Creator\"}"));

    assertThat(plannedRole(id)).isEqualTo("Record Creator");
    assertThat(http.get("/Users/" + id).json().has("role")).isFalse();
  }

  String created(String roleAttributes) {
    Response r = http.post("/Users", """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com",
         "name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"primary":true,"value":"ada@example.com"}],
         %s}
        """.formatted(roleAttributes));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  /** The role the reconciler plans for the user: what UserFields reads from the stored document. */
  String plannedRole(String id) {
    return UserFields.of(scim.storedUser(id)).role();
  }

  /** What a release before the fix stored after Entra's PATCH of the enterprise role: both places. */
  void storedAsAnOlderReleaseLeftIt(String id) {
    try (Database db = Database.openExisting(scim.location(), Database.Access.READ_WRITE)) {
      db.write(c -> {
        ObjectNode doc = StoredDocs.user(c, id);
        doc.withArray("schemas").add(ENTERPRISE);
        doc.putObject(ENTERPRISE).put("role", "Standard User");
        try (PreparedStatement ps = c.prepareStatement("UPDATE scim_user SET doc = ? WHERE id = ?")) {
          ps.setString(1, doc.toString());
          ps.setString(2, id);
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        return null;
      });
    }
  }

  long roleWarnings() {
    return logs.events().stream().filter(e -> e.getFormattedMessage().contains("names different roles")).count();
  }
}
