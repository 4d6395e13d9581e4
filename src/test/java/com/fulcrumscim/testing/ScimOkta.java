package com.fulcrumscim.testing;

import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.util.List;
import java.util.Map;

/** Plays Okta over real SCIM HTTP against the real receiver, which commits desired state and work rows. */
public final class ScimOkta implements Okta {
  private static final Map<String, String> PATHS = Map.of(
      "active", "active", "given_name", "name.givenName", "family_name", "name.familyName", "role", "role",
      "email", "emails[type eq \\\"work\\\"].value");

  private final ScimHttp http;

  public ScimOkta(ScimHttp http) {
    this.http = http;
  }

  @Override
  public String user(String email, String given, String family, String role) {
    return userNamed(email, email, given, family, role);
  }

  @Override
  public String userNamed(String userName, String email, String given, String family, String role) {
    return expect(201, http.post("/Users", body(userName, email, given, family, role))).json().get("id").asText();
  }

  @Override
  public void replaceUser(String userId, String email, String given, String family, String role) {
    expect(200, http.put("/Users/" + userId, body(email, email, given, family, role)));
  }

  private static String body(String userName, String email, String given, String family, String role) {
    String body = Bodies.user(userName, email, given, family, true);
    return role == null ? body : body.replaceFirst("\"active\":true", "\"active\":true,\"role\":\"" + role + "\"");
  }

  @Override
  public void set(String userId, String attribute, Object value) {
    String json = value instanceof Integer i && attribute.equals("active") ? Boolean.toString(i == 1)
        : value == null ? "null" : "\"" + value + "\"";
    String op = "{\"op\":\"replace\",\"path\":\"" + PATHS.get(attribute) + "\",\"value\":" + json + "}";
    expect(200, http.patch("/Users/" + userId, Bodies.patch(op)));
  }

  @Override
  public void deleteUser(String userId) {
    expect(204, http.delete("/Users/" + userId));
  }

  @Override
  public String group(String name, List<String> userIds) {
    return expect(201, http.post("/Groups", Bodies.group(name, userIds.toArray(String[]::new)))).json().get("id").asText();
  }

  @Override
  public void setGroup(String groupId, String name, List<String> userIds) {
    expect(200, http.put("/Groups/" + groupId, Bodies.group(name, userIds.toArray(String[]::new))));
  }

  @Override
  public void deleteGroup(String groupId) {
    expect(204, http.delete("/Groups/" + groupId));
  }

  private static ScimHttp.Response expect(int status, ScimHttp.Response response) {
    if (response.status() != status) {
      throw new AssertionError("SCIM answered " + response + ", expected " + status);
    }
    return response;
  }
}
