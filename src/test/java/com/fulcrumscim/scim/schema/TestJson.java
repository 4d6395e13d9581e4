package com.fulcrumscim.scim.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** JSON for specs: single quotes allowed in literals so bodies read like the captures. */
public final class TestJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TestJson() {}

  /** Parses JSON written with ' for " (the bodies in okta-scim.md contain no apostrophes). */
  public static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text.replace('\'', '"'));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  public static ObjectNode obj(String text) {
    return (ObjectNode) json(text);
  }

  /** A file under src/test/resources/fixtures/, e.g. "okta/create-user.json". */
  public static ObjectNode fixture(String name) {
    return (ObjectNode) fixtureNode(name);
  }

  /** A fixture that holds a JSON array (a table of cases). */
  public static JsonNode fixtureArray(String name) {
    return fixtureNode(name);
  }

  private static JsonNode fixtureNode(String name) {
    try (InputStream in = TestJson.class.getResourceAsStream("/fixtures/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
