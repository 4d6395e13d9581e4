package com.fulcrumscim.fulcrum.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** The emulator's JSON: snake_case like Fulcrum, strict on input (a typo in a seed is an error). */
final class Json {
  /** Configured once and never changed after, so sharing it is safe. */
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .build();

  private Json() {}

  static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("emulator: cannot render JSON", e);
    }
  }

  static String pretty(Object value) {
    try {
      return MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("emulator: cannot render JSON", e);
    }
  }

  /** Parses a request body; an empty body is an empty object. */
  static JsonNode tree(byte[] body) throws IOException {
    return body.length == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(body);
  }

  /** Jackson's complaint as one line, with where in the input it happened. */
  static String oneLine(JsonProcessingException e) {
    String where =
        e.getLocation() == null
            ? ""
            : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": ";
    return (where + e.getOriginalMessage()).replaceAll("\\s*\\R\\s*", " ");
  }
}
