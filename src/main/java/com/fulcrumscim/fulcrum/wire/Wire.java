package com.fulcrumscim.fulcrum.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * JSON in and out, read tolerantly: unknown fields are ignored, ids may come as numbers, and where
 * Fulcrum's envelope is uncertain the first array-valued (or object-valued) root key is taken.
 */
public final class Wire {
  private final ObjectMapper mapper =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public String write(Object body) {
    try {
      return mapper.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + body.getClass().getSimpleName(), e);
    }
  }

  /** The parsed body; an empty body is an empty object. */
  public JsonNode read(String body) throws JsonProcessingException {
    return body == null || body.isBlank() ? mapper.createObjectNode() : mapper.readTree(body);
  }

  public <T> T convert(JsonNode node, Class<T> type) {
    return mapper.convertValue(node, type);
  }

  /**
   * The items of a list answer: {@code root[key]}, else the first array-valued root key. Empty when
   * the answer holds no array at all: that is no list (an error or maintenance object answered 2xx,
   * an empty body), and read as an empty one it would say every member is gone.
   */
  public static Optional<List<JsonNode>> items(JsonNode root, String key) {
    JsonNode array = root.isArray() ? root : root.get(key);
    if (array == null || !array.isArray()) {
      array = firstField(root, JsonNode::isArray).orElse(null);
    }
    if (array == null) {
      return Optional.empty();
    }
    List<JsonNode> items = new ArrayList<>();
    array.forEach(items::add);
    return Optional.of(items);
  }

  /**
   * The entity of a single answer: {@code root[key]}, else the root itself, else the first
   * object-valued root key. Empty when that carries no id: an entity without one cannot be
   * referred to, so the caller treats it as an answer without a body.
   */
  public static Optional<JsonNode> entity(JsonNode root, String key) {
    JsonNode wrapped = root.get(key);
    if (wrapped != null && wrapped.isObject()) {
      return Optional.of(wrapped).filter(Wire::hasId);
    }
    if (hasId(root)) {
      return Optional.of(root);
    }
    return firstField(root, JsonNode::isObject).filter(Wire::hasId);
  }

  private static boolean hasId(JsonNode entity) {
    return !entity.path("id").asText("").isBlank();
  }

  private static Optional<JsonNode> firstField(JsonNode root, Predicate<JsonNode> test) {
    return root.properties().stream().map(Map.Entry::getValue).filter(test).findFirst();
  }
}
