package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.testing.ReceiverOnly;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Entra removes a multi-valued attribute's value by its path, leaving the element's other parts behind. */
class RemovedValueTest {
  static final String ROLE = "roles[primary eq \\\"True\\\"].value";

  @RegisterExtension final ReceiverOnly scim = new ReceiverOnly();
  ScimHttp http;

  @BeforeEach
  void asEntra() {
    http = scim.http();
  }

  String withRole(String role) {
    String id = http.post("/Users", user("ada@example.com")).json().path("id").asText();
    http.patch("/Users/" + id, patch("{\"op\":\"Add\",\"path\":\"" + ROLE + "\",\"value\":\"" + role + "\"}"));
    return id;
  }

  @Test
  void aRemovedRoleLeavesNoValuelessElementBehind() {
    String id = withRole("Manager");

    Response r = http.patch("/Users/" + id, patch("{\"op\":\"Remove\",\"path\":\"" + ROLE + "\"}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    JsonNode got = http.get("/Users/" + id).json();
    assertThat(got.has("roles")).as(got.toString()).isFalse();
  }

  @Test
  void aRoleAddedAfterItsRemovalIsTheUsersRole() {
    String id = withRole("Manager");
    http.patch("/Users/" + id, patch("{\"op\":\"Remove\",\"path\":\"" + ROLE + "\"}"));

    http.patch("/Users/" + id, patch("{\"op\":\"Add\",\"path\":\"" + ROLE + "\",\"value\":\"Standard User\"}"));

    JsonNode roles = http.get("/Users/" + id).json().path("roles");
    assertThat(roles.size()).as(roles.toString()).isEqualTo(1);
    assertThat(roles.get(0).path("value").asText()).isEqualTo("Standard User");
  }

  @Test
  void aRemovedWorkEmailsValueLeavesTheOtherEmails() {
    String id = http.post("/Users", """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bea@example.com",
         "emails":[{"value":"bea@example.com","type":"work","primary":true},{"value":"bea@home.example","type":"home"}]}
        """).json().path("id").asText();

    http.patch("/Users/" + id, patch("{\"op\":\"Remove\",\"path\":\"emails[type eq \\\"home\\\"].value\"}"));

    assertThat(http.get("/Users/" + id).json().path("emails").toString())
        .isEqualTo("[{\"value\":\"bea@example.com\",\"type\":\"work\",\"primary\":true}]");
  }
}
