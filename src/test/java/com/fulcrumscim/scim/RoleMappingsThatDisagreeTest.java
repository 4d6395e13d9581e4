package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.journal.RolePlaces;
import com.fulcrumscim.journal.UserFields;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ReceiverOnly;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two role mappings active in Okta that name different roles (the bridge extension's role and
 * roles[], say): Okta's PUT is the bridge's GET with every mapped value merged over it, so a place
 * the last request cleared comes back each time. It must not take the role back: that flipped the
 * member's role in Fulcrum at every unrelated profile push (review-s3 F3).
 */
class RoleMappingsThatDisagreeTest {
  static final String FULCRUM = UserFields.FULCRUM_EXTENSION;

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  @RegisterExtension final ReceiverOnly scim = new ReceiverOnly();
  ScimHttp http;

  @BeforeEach
  void asOkta() {
    http = scim.http();
  }

  @Test
  void oktasPutsAfterTheExtensionRoleChangedKeepItsRoleAtEveryUnrelatedPush() {
    String id = createdWithBothMappings("Admin", "Standard User");
    List<String> roles = new ArrayList<>();

    for (int push = 0; push < 3; push++) {
      oktaPut(id, "Manager", "Standard User", "Ada Lovelace " + push);
      roles.add(plannedRole(id));
    }

    assertThat(roles).containsExactly("Manager", "Manager", "Manager");
    assertThat(RolePlaces.of((ObjectNode) http.get("/Users/" + id).json())).containsExactly(entry(FULCRUM, "Manager"));
  }

  @Test
  void anOktaPutSendingTheSameValuesAgainChangesNothing() {
    String id = createdWithBothMappings("Admin", "Standard User");
    oktaPut(id, "Manager", "Standard User", "Ada Lovelace");
    String version = http.get("/Users/" + id).header("ETag");

    oktaPut(id, "Manager", "Standard User", "Ada Lovelace");
    oktaPut(id, "Manager", "Standard User", "Ada Lovelace");

    assertThat(http.get("/Users/" + id).header("ETag")).isEqualTo(version);
  }

  @Test
  void theClearedRoleSentAgainIsAWarningNamingThePlacesAndTheFix() {
    String id = createdWithBothMappings("Admin", "Standard User");
    oktaPut(id, "Manager", "Standard User", "Ada Lovelace");
    assertThat(roleAgainWarnings()).isEmpty();

    oktaPut(id, "Manager", "Standard User", "Ada L");

    assertThat(roleAgainWarnings()).singleElement().satisfies(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("user with userName ada@example.com", "{roles=Standard User}",
          "two role mappings disagree", "keeps 'Manager', which " + FULCRUM + " set", FULCRUM + "=Manager",
          "Keep the role mapping of " + FULCRUM + " and remove the other",
          "With the mapping of " + FULCRUM + " removed instead", "the user keeps 'Manager' until the remaining mapping "
              + "sends a role other than the one it was cleared of, once");
    });
  }

  /**
   * review-s4 F3: Okta's PUT echoes the removed mapping's place from the GET, which the bridge cannot
   * tell from that mapping still sending it, so the user stays on its role until the remaining
   * mapping sends another role once; then the role it was cleared of counts as well.
   */
  @Test
  void withTheWinningMappingRemovedTheUserKeepsItsRoleUntilTheRemainingMappingSendsAnotherOnce() {
    String id = createdWithBothMappings("Admin", "Standard User");
    oktaPut(id, "Manager", "Standard User", "Ada Lovelace");

    oktaPutOnlyRoles(id, "Standard User", "Ada 1");
    assertThat(plannedRole(id)).as("the role it was cleared of, the extension echoed").isEqualTo("Manager");
    oktaPutOnlyRoles(id, "Record Creator", "Ada 2");
    assertThat(plannedRole(id)).isEqualTo("Record Creator");
    oktaPutOnlyRoles(id, "Standard User", "Ada 3");
    assertThat(plannedRole(id)).isEqualTo("Standard User");
    assertThat(RolePlaces.of((ObjectNode) http.get("/Users/" + id).json())).containsExactly(entry("roles", "Standard User"));
  }

  @Test
  void aNewRoleInTheOtherMappingStillWinsAndStaysPut() {
    String id = createdWithBothMappings("Admin", "Standard User");
    oktaPut(id, "Manager", "Standard User", "Ada Lovelace");

    List<String> roles = new ArrayList<>();
    for (int push = 0; push < 3; push++) {
      oktaPut(id, "Manager", "Record Creator", "Ada Lovelace " + push);
      roles.add(plannedRole(id));
    }

    assertThat(roles).containsExactly("Record Creator", "Record Creator", "Record Creator");
  }

  @Test
  void aPatchAddingTheClearedRoleAgainKeepsTheRole() {
    String id = createdWithBothMappings("Admin", "Standard User");
    oktaPut(id, "Manager", "Standard User", "Ada Lovelace");

    Response r = http.patch("/Users/" + id,
        patch("{\"op\":\"add\",\"path\":\"roles\",\"value\":[{\"value\":\"Standard User\",\"primary\":true}]}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(plannedRole(id)).isEqualTo("Manager");
  }

  @Test
  void whatTheBridgeKeepsOfTheClearedRolesIsNotShownToClients() {
    String id = createdWithBothMappings("Admin", "Standard User");
    oktaPut(id, "Manager", "Standard User", "Ada Lovelace");

    assertThat(storedDoc(id).has("$rolesCleared")).isTrue();
    assertThat(http.get("/Users/" + id).text()).doesNotContain("rolesCleared");
    assertThat(http.get("/Users?filter=" + ScimHttp.q("userName eq \"ada@example.com\"")).text())
        .doesNotContain("rolesCleared");
  }

  /** A user created while both mappings were set: the extension's role is read first. */
  String createdWithBothMappings(String extensionRole, String rolesRole) {
    Response r = http.post("/Users", """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com",
         "name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"primary":true,"value":"ada@example.com"}],
         "%s":{"role":"%s"},"roles":[{"value":"%s","primary":true}]}
        """.formatted(FULCRUM, extensionRole, rolesRole));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  /** Okta's push: GET, then PUT of that body with its mapped values (both role mappings) merged over it. */
  void oktaPut(String id, String extensionRole, String rolesRole, String displayName) {
    ObjectNode body = (ObjectNode) http.get("/Users/" + id).json().deepCopy();
    body.putObject(FULCRUM).put("role", extensionRole);
    body.putArray("roles").addObject().put("value", rolesRole).put("primary", true);
    body.put("displayName", displayName);
    Response r = http.put("/Users/" + id, body.toString());
    assertThat(r.status()).as(r.text()).isEqualTo(200);
  }

  /** Okta's push once the extension's role mapping is removed: roles[] merged over the GET, which still shows the extension. */
  void oktaPutOnlyRoles(String id, String rolesRole, String displayName) {
    ObjectNode body = (ObjectNode) http.get("/Users/" + id).json().deepCopy();
    body.putArray("roles").addObject().put("value", rolesRole).put("primary", true);
    body.put("displayName", displayName);
    Response r = http.put("/Users/" + id, body.toString());
    assertThat(r.status()).as(r.text()).isEqualTo(200);
  }

  /** The role the reconciler plans for the user: what UserFields reads from the stored document. */
  String plannedRole(String id) {
    return UserFields.of(storedDoc(id)).role();
  }

  ObjectNode storedDoc(String id) {
    return scim.storedUser(id);
  }

  List<ILoggingEvent> roleAgainWarnings() {
    return logs.events().stream().filter(e -> e.getFormattedMessage().contains("two role mappings disagree")).toList();
  }
}
