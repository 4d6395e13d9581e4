package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.journal.RolePlaces;
import com.fulcrumscim.testing.ReceiverOnly;
import com.fulcrumscim.testing.ScimHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Entra takes a role away by removing the primary role's value; the element left without one says
 * the user has no role there, so another, non-primary role the list still holds is not promoted
 * (review-s7 F1: dropping the value-less element made the user that other role).
 */
class PrimaryRoleRemovalTest {
  static final String FULCRUM = "urn:ietf:params:scim:schemas:extension:fulcrum:2.0:User";
  static final String REMOVE_PRIMARY = patch("{\"op\":\"Remove\",\"path\":\"roles[primary eq \\\"True\\\"].value\"}");

  @RegisterExtension final ReceiverOnly scim = new ReceiverOnly();
  ScimHttp http;

  @BeforeEach
  void asEntra() {
    http = scim.http();
  }

  String created(String userName, String attributes) {
    return http.post("/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\",\"" + FULCRUM + "\"],"
        + "\"userName\":\"" + userName + "\"," + attributes + "}").json().path("id").asText();
  }

  String role(String id) {
    return RolePlaces.role((ObjectNode) http.get("/Users/" + id).json());
  }

  @Test
  void removingThePrimaryRolesValueDoesNotGiveTheUserTheOtherListedRole() {
    String id = created("ada@example.com", "\"roles\":[{\"value\":\"Viewer\",\"primary\":true},{\"value\":\"Admin\",\"primary\":false}]");

    http.patch("/Users/" + id, REMOVE_PRIMARY);

    assertThat(role(id)).isNotEqualTo("Admin");
  }

  @Test
  void aPutWithAValuelessPrimaryRoleDoesNotGiveTheUserTheOtherListedRole() {
    String id = created("bea@example.com", "\"roles\":[{\"value\":\"Viewer\",\"primary\":true}]");

    http.put("/Users/" + id, "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"bea@example.com\","
        + "\"roles\":[{\"primary\":true,\"display\":\"Viewer\"},{\"value\":\"Admin\"}]}");

    assertThat(role(id)).isNotEqualTo("Admin");
  }

  @Test
  void removingThePrimaryRolesValueLeavesTheExtensionsRole() {
    String id = created("cy@example.com", "\"" + FULCRUM + "\":{\"role\":\"Viewer\"},"
        + "\"roles\":[{\"value\":\"Viewer\",\"primary\":true},{\"value\":\"Admin\",\"primary\":false}]");

    http.patch("/Users/" + id, REMOVE_PRIMARY);

    assertThat(role(id)).isEqualTo("Viewer");
  }
}
