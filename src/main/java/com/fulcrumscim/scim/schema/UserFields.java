package com.fulcrumscim.scim.schema;

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

  /** Reads a body produced by {@link ResourceNormalizer#user}. */
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
    String role = text(user.path(ScimSchemas.FULCRUM_USER).get("role"));
    if (role == null) {
      role = text(user.get("role"));
    }
    for (Map.Entry<String, JsonNode> field : user.properties()) {
      if (role == null && ResourceNormalizer.isUrn(field.getKey())) {
        role = text(JsonFields.get(field.getValue(), "role"));
      }
    }
    return role != null ? role : fromRoles(user.path("roles"));
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
