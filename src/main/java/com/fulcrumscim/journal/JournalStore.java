package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The append-only journal: one row per accepted change, what was asked and by which request. */
public final class JournalStore {
  public void append(Connection c, long receivedAt, IntakeRequest request, ResourceKey key, JournalOp op)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO journal (received_at, request_id, entity_type, entity_id, op, body) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setLong(1, receivedAt);
      ps.setString(2, request.requestId());
      ps.setString(3, key.type().name());
      ps.setString(4, key.scimId());
      ps.setString(5, op.name());
      ps.setString(6, request.journalBody());
      ps.executeUpdate();
    }
  }

  /**
   * A copy of {@code body} with every password removed: Okta sends a placeholder {@code password} on every
   * create and a real one with password sync, as an attribute or as a PATCH op on path "password".
   */
  static JsonNode withoutSecrets(JsonNode body) {
    JsonNode copy = body.deepCopy();
    redact(copy);
    return copy;
  }

  private static void redact(JsonNode node) {
    if (node instanceof ObjectNode object) {
      List<String> secretKeys = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getKey().equalsIgnoreCase("password")) {
          secretKeys.add(field.getKey());
        } else {
          redact(field.getValue());
        }
      }
      secretKeys.forEach(object::remove);
      if (object.path("path").asText("").equalsIgnoreCase("password")) {
        object.remove("value");
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(JournalStore::redact);
    }
  }
}
