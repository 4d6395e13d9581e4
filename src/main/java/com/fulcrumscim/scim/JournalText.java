package com.fulcrumscim.scim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * What the journal keeps of a request body: its JSON text without any password. Okta sends a
 * placeholder {@code password} on every create and a real one with password sync, as an attribute
 * or as a PATCH op on path "password"; Entra and others qualify it with a schema URN, as a key, a
 * PATCH path or inside a path-less value. Written straight from the parsed body (no copy of it
 * first): this runs for every change, on the request's thread.
 */
final class JournalText {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JournalText() {}

  /** The text to journal for {@code body}; null for none (a DELETE). */
  static String of(JsonNode body) {
    if (body == null) {
      return null;
    }
    StringWriter text = new StringWriter(256);
    try (JsonGenerator out = JSON.createGenerator(text)) {
      writeWithoutSecrets(out, body);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON to a string", e);
    }
    return text.toString();
  }

  private static void writeWithoutSecrets(JsonGenerator out, JsonNode node) throws IOException {
    if (node instanceof ObjectNode object) {
      // A PATCH operation's member names compare without case ("Path", "VALUE"), as the SCIM layer reads them.
      boolean secretValue = false;
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        secretValue |= field.getKey().equalsIgnoreCase("path") && ResourceNormalizer.namesPassword(field.getValue().asText(""));
      }
      out.writeStartObject();
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        String key = field.getKey();
        if (!ResourceNormalizer.namesPassword(key) && !(secretValue && key.equalsIgnoreCase("value"))) {
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
