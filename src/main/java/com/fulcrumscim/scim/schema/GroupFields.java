package com.fulcrumscim.scim.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** What the bridge needs from a normalized group: name, client id, member ids (distinct, in order). */
public record GroupFields(String displayName, String externalId, List<String> memberIds) {

  public GroupFields {
    memberIds = List.copyOf(memberIds);
  }

  /** Reads a body produced by {@link ResourceNormalizer#group}. */
  public static GroupFields of(ObjectNode normalizedGroup) {
    throw new UnsupportedOperationException("skeleton");
  }
}
