package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the bridge needs from a normalized user to drive Fulcrum. {@code email} is the primary
 * email, else the first, else the userName; {@code role} is the first
 * {@link RolePlaces} names, null when the client sent none.
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
        RolePlaces.role(normalizedUser));
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

  /** Non-blank text, else null. */
  static String text(JsonNode node) {
    return node != null && node.isTextual() && !node.textValue().isBlank()
        ? node.textValue() : null;
  }
}
