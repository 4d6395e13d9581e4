package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
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
   * Deletes up to {@code limit} entries received before {@code before}, oldest first, and answers
   * how many. Kept regardless of age: every entry of a user or group whose work row is not DONE
   * (an operator diagnosing it needs them) and the newest entry of each user or group (so
   * {@code journal show} always explains the current state).
   */
  public int prune(Connection c, Instant before, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("""
        DELETE FROM journal WHERE id IN (
          SELECT j.id FROM journal j
          WHERE j.received_at < ?
            AND j.id < (SELECT max(n.id) FROM journal n WHERE n.entity_type = j.entity_type AND n.entity_id = j.entity_id)
            AND NOT EXISTS (SELECT 1 FROM work w
                            WHERE w.entity_type = j.entity_type AND w.entity_id = j.entity_id AND w.state <> 'DONE')
          ORDER BY j.id LIMIT ?)""")) {
      ps.setLong(1, before.toEpochMilli());
      ps.setInt(2, limit);
      return ps.executeUpdate();
    }
  }

  /**
   * A copy of {@code body} with every password removed: Okta sends a placeholder {@code password} on every
   * create and a real one with password sync, as an attribute or as a PATCH op on path "password"; Entra
   * and others qualify it with the core User URN, as a key, a PATCH path or inside a path-less value.
   */
  static JsonNode withoutSecrets(JsonNode body) {
    JsonNode copy = body.deepCopy();
    redact(copy);
    return copy;
  }

  /** "password" in any case, bare or URN-qualified ("urn:...:User:password"). */
  static boolean namesPassword(String attribute) {
    String a = attribute.strip().toLowerCase(java.util.Locale.ROOT);
    return a.equals("password") || a.startsWith("urn:") && a.endsWith(":password");
  }

  private static void redact(JsonNode node) {
    if (node instanceof ObjectNode object) {
      List<String> secretKeys = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (namesPassword(field.getKey())) {
          secretKeys.add(field.getKey());
        } else {
          redact(field.getValue());
        }
      }
      secretKeys.forEach(object::remove);
      if (namesPassword(object.path("path").asText(""))) {
        object.remove("value");
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(JournalStore::redact);
    }
  }
}
