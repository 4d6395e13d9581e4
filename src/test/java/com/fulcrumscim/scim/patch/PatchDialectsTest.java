package com.fulcrumscim.scim.patch;

import static com.fulcrumscim.scim.schema.TestJson.fixture;
import static com.fulcrumscim.scim.schema.TestJson.fixtureArray;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.ResourceSchema;
import com.fulcrumscim.scim.schema.ScimSchemas;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every PATCH dialect of okta-scim.md, as tables: fixtures/{okta,entra}/patch-cases.json. A case
 * names its resource and request (inline or a fixture file), then either {@code expect} (top-level
 * attributes that must equal exactly), {@code absent} and {@code changed}, or {@code error} (the
 * scimType of the 400).
 */
class PatchDialectsTest {
  final PatchApplier applier = new PatchApplier();

  static Stream<Arguments> okta() {
    return cases("okta/patch-cases.json");
  }

  static Stream<Arguments> entra() {
    return cases("entra/patch-cases.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("okta")
  void okta(String name, JsonNode c) {
    check(c);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entra")
  void entra(String name, JsonNode c) {
    check(c);
  }

  private void check(JsonNode c) {
    ObjectNode resource = (ObjectNode) load(c.get("resource"));
    ObjectNode before = resource.deepCopy();
    JsonNode request = load(c.get("request"));
    ResourceSchema schema = resource.get("schemas").get(0).asText().equals(ScimSchemas.CORE_GROUP)
        ? ResourceSchema.GROUP : ResourceSchema.USER;
    if (c.has("error")) {
      assertThatThrownBy(() -> applier.apply(resource, request, schema))
          .isInstanceOfSatisfying(ScimException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.scimType()).isEqualTo(c.get("error").asText());
          });
      return;
    }
    PatchResult result = applier.apply(resource, request, schema);
    for (Map.Entry<String, JsonNode> e : c.path("expect").properties()) {
      assertThat(result.resource().get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
    for (JsonNode absent : c.path("absent")) {
      assertThat(result.resource().has(absent.asText())).as(absent.asText()).isFalse();
    }
    assertThat(result.changed()).as("changed").isEqualTo(c.get("changed").asBoolean());
    assertThat(result.resource().get("id")).isEqualTo(resource.get("id"));
    assertThat(result.resource().get("meta")).isEqualTo(resource.get("meta"));
    assertThat(resource).as("the input is untouched").isEqualTo(before);
  }

  private static JsonNode load(JsonNode ref) {
    return ref.isTextual() ? fixture(ref.asText()) : ref.deepCopy();
  }

  private static Stream<Arguments> cases(String file) {
    return StreamSupport.stream(fixtureArray(file).spliterator(), false)
        .map(c -> Arguments.of(c.get("name").asText(), c));
  }
}
