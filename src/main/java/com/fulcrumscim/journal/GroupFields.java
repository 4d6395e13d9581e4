package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What the bridge needs from a normalized group: name, client id, member ids (distinct, in order). */
public record GroupFields(String displayName, String externalId, List<String> memberIds) {

  public GroupFields {
    memberIds = List.copyOf(memberIds);
  }

  /** Reads a body produced by the SCIM layer's normalizer. */
  public static GroupFields of(ObjectNode normalizedGroup) {
    Set<String> ids = new LinkedHashSet<>();
    for (JsonNode m : normalizedGroup.path("members")) {
      String id = UserFields.text(m.get("value"));
      if (id != null) {
        ids.add(id);
      }
    }
    return new GroupFields(
        UserFields.text(normalizedGroup.get("displayName")),
        UserFields.text(normalizedGroup.get("externalId")),
        List.copyOf(ids));
  }
}
