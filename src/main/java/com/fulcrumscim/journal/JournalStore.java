package com.fulcrumscim.journal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

/** The append-only journal: one row per accepted change, what was asked and by which request. */
public final class JournalStore {
  private static final ObjectMapper JSON = new ObjectMapper();

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

  /** The newest entry's id; 0 for an empty journal. Ids only grow: an entry above it came later. */
  public long lastId(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM journal");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Whether a change to {@code key} was journaled after the entry {@code afterId}. */
  public boolean changedAfter(Connection c, ResourceKey key, long afterId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT 1 FROM journal WHERE entity_type = ? AND entity_id = ? AND id > ? LIMIT 1")) {
      ps.setString(1, key.type().name());
      ps.setString(2, key.scimId());
      ps.setLong(3, afterId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
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
   * What the journal keeps of a request body: its JSON text without any password. Okta sends a
   * placeholder {@code password} on every create and a real one with password sync, as an attribute
   * or as a PATCH op on path "password"; Entra and others qualify it with the core User URN, as a
   * key, a PATCH path or inside a path-less value. Written straight from the parsed body (no copy
   * of it first): this runs for every change, on the request's thread.
   */
  static String journalText(JsonNode body) {
    StringWriter text = new StringWriter(256);
    try (JsonGenerator out = JSON.createGenerator(text)) {
      writeWithoutSecrets(out, body);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON to a string", e);
    }
    return text.toString();
  }

  /** "password" in any case, bare or URN-qualified ("urn:...:User:password"). */
  static boolean namesPassword(String attribute) {
    String a = attribute.strip().toLowerCase(java.util.Locale.ROOT);
    return a.equals("password") || a.startsWith("urn:") && a.endsWith(":password");
  }

  private static void writeWithoutSecrets(JsonGenerator out, JsonNode node) throws IOException {
    if (node instanceof ObjectNode object) {
      // A PATCH operation's member names compare without case ("Path", "VALUE"), as the SCIM layer reads them.
      boolean secretValue = false;
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        secretValue |= field.getKey().equalsIgnoreCase("path") && namesPassword(field.getValue().asText(""));
      }
      out.writeStartObject();
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        String key = field.getKey();
        if (!namesPassword(key) && !(secretValue && key.equalsIgnoreCase("value"))) {
          out.writeFieldName(key);
          writeWithoutSecrets(out, field.getValue());
        }
      }
      out.writeEndObject();
    } else if (node instanceof ArrayNode array) {
      out.writeStartArray();
      for (JsonNode element : array) {
        writeWithoutSecrets(out, element);
      }
      out.writeEndArray();
    } else {
      out.writeTree(node);
    }
  }
}
