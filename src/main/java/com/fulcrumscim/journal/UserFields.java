package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * What the bridge needs from a normalized user to drive Fulcrum. {@code email} is the primary
 * email, else the first, else the userName; {@code role} is null when the client sent none.
 */
public record UserFields(
    String userName,
    String externalId,
    boolean active,
    String email,
    String givenName,
    String familyName,
    String displayName,
    String role) {

  /** The bridge's own User extension, one of the places a role may come from. */
  public static final String FULCRUM_EXTENSION = "urn:ietf:params:scim:schemas:extension:fulcrum:2.0:User";

  /** Reads a body produced by the SCIM layer's normalizer. */
  public static UserFields of(ObjectNode normalizedUser) {
    JsonNode name = normalizedUser.path("name");
    String userName = text(normalizedUser.get("userName"));
    return new UserFields(
        userName,
        text(normalizedUser.get("externalId")),
        normalizedUser.path("active").asBoolean(true),
        email(normalizedUser, userName),
        text(name.get("givenName")),
        text(name.get("familyName")),
        text(normalizedUser.get("displayName")),
        role(normalizedUser));
  }

  private static String email(ObjectNode user, String userName) {
    JsonNode emails = user.path("emails");
    for (JsonNode e : emails) {
      if (e.path("primary").asBoolean(false) && text(e.get("value")) != null) {
        return text(e.get("value"));
      }
    }
    for (JsonNode e : emails) {
      if (text(e.get("value")) != null) {
        return text(e.get("value"));
      }
    }
    return userName;
  }

  /**
   * The role from wherever the client put it (okta-scim.md §1.8): the bridge's extension, the
   * top-level custom attribute, any other extension object, then {@code roles[]}.
   */
  private static String role(ObjectNode user) {
    String role = text(user.path(FULCRUM_EXTENSION).get("role"));
    if (role == null) {
      role = text(user.get("role"));
    }
    for (Map.Entry<String, JsonNode> field : user.properties()) {
      if (role == null && field.getKey().regionMatches(true, 0, "urn:", 0, 4)) {
        role = roleIn(field.getValue());
      }
    }
    return role != null ? role : fromRoles(user.path("roles"));
  }

  /** An extension's {@code role} in any case (SCIM names compare without case). */
  private static String roleIn(JsonNode extension) {
    for (Map.Entry<String, JsonNode> field : extension.properties()) {
      if (field.getKey().equalsIgnoreCase("role")) {
        return text(field.getValue());
      }
    }
    return null;
  }

  private static String fromRoles(JsonNode roles) {
    for (JsonNode r : roles) {
      if (r.path("primary").asBoolean(false) && text(r.get("value")) != null) {
        return text(r.get("value"));
      }
    }
    return roles.size() == 1 ? text(roles.get(0).get("value")) : null;
  }

  /** Non-blank text, else null. */
  static String text(JsonNode node) {
    return node != null && node.isTextual() && !node.textValue().isBlank()
        ? node.textValue() : null;
  }
}
