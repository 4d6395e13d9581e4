package com.fulcrumscim.scim.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;

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
    throw new UnsupportedOperationException("skeleton");
  }
}
