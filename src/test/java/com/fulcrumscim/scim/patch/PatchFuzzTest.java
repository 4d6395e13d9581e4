package com.fulcrumscim.scim.patch;

import static com.fulcrumscim.scim.schema.TestJson.fixture;
import static com.fulcrumscim.scim.schema.TestJson.fixtureArray;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.scim.schema.ResourceSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated PATCH requests and POST bodies: the answer is a 400 or a result that already satisfies
 * the normalizer's invariants, never another exception.
 */
class PatchFuzzTest {
  static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  static final List<String> NAMES = List.of(
      "op", "path", "value", "Operations", "schemas", "userName", "UserName", "active", "Active",
      "emails", "members", "name", "name.givenName", "givenName", "value", "Value", "primary",
      "type", "id", "meta", "groups", "password", "displayName", "externalId", "roles", "$ref",
      "manager", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
      "urn:ietf:params:scim:schemas:extension:fulcrum:2.0:User:role", "urn:x:custom:User",
      "emails[type eq \"work\"].value", "members[value eq \"u1091\"]", "members[", "x", "");
  static final List<String> OPS = List.of("add", "Add", "REPLACE", "remove", "Remove", "move", "");

  final ResourceNormalizer normalizer = new ResourceNormalizer();
  final PatchApplier applier = new PatchApplier(normalizer);
  final List<JsonNode> cases = seedCases();

  @Test
  void mutatedPatchRequestsOnlyEverFailWithA400() {
    for (long seed = 1; seed <= 30; seed++) {
      Random random = new Random(seed);
      for (int i = 0; i < 300; i++) {
        JsonNode c = cases.get(random.nextInt(cases.size()));
        ObjectNode resource = (ObjectNode) load(c.get("resource"));
        JsonNode request = mutate(load(c.get("request")), random);
        ResourceSchema schema = resource.has("userName") ? ResourceSchema.USER
            : ResourceSchema.GROUP;
        try {
          PatchResult r = applier.apply(resource, request, schema);
          assertThat(normalizer.normalize(r.resource(), schema))
              .as("the result is already normalized").isEqualTo(withoutServerAttributes(r));
        } catch (ScimException e) {
          assertThat(e.status()).isEqualTo(400);
        } catch (RuntimeException | StackOverflowError e) {
          fail("seed " + seed + ": " + e + " for " + request + " on " + resource.get("id"), e);
        }
      }
    }
  }

  @Test
  void mutatedCreateBodiesOnlyEverFailWithA400() {
    List<ObjectNode> bodies = List.of(fixture("okta/create-user.json"),
        fixture("okta/put-user-echo.json"), fixture("entra/create-user.json"),
        fixture("entra/create-group.json"));
    for (long seed = 1; seed <= 30; seed++) {
      Random random = new Random(seed);
      for (int i = 0; i < 300; i++) {
        JsonNode body = mutate(bodies.get(random.nextInt(bodies.size())).deepCopy(), random);
        ResourceSchema schema = random.nextBoolean() ? ResourceSchema.USER : ResourceSchema.GROUP;
        try {
          ObjectNode once = normalizer.normalize(body, schema);
          assertThat(normalizer.normalize(once, schema)).isEqualTo(once);
        } catch (ScimException e) {
          assertThat(e.status()).isEqualTo(400);
        } catch (RuntimeException | StackOverflowError e) {
          fail("seed " + seed + ": " + e + " for " + body, e);
        }
      }
    }
  }

  private static ObjectNode withoutServerAttributes(PatchResult r) {
    ObjectNode copy = r.resource().deepCopy();
    copy.remove(List.of("id", "meta", "groups"));
    return copy;
  }

  /** The dialect tables' cases: a resource and a request each. */
  private static List<JsonNode> seedCases() {
    List<JsonNode> out = new ArrayList<>();
    for (String file : List.of("okta/patch-cases.json", "entra/patch-cases.json")) {
      fixtureArray(file).forEach(out::add);
    }
    return out;
  }

  private static JsonNode load(JsonNode ref) {
    return ref.isTextual() ? fixture(ref.asText()) : ref.deepCopy();
  }

  /** A few random edits, mostly to one operation's parts so most requests pass the envelope. */
  static JsonNode mutate(JsonNode root, Random random) {
    int edits = 1 + random.nextInt(3);
    JsonNode current = root;
    for (int e = 0; e < edits; e++) {
      JsonNode ops = current.path("Operations");
      int dice = random.nextInt(10);
      JsonNode picked = ops.isArray() && !ops.isEmpty() ? ops.get(random.nextInt(ops.size())) : null;
      if (picked != null && picked.isObject() && dice < 7) {
        ObjectNode op = (ObjectNode) picked;
        switch (random.nextInt(4)) {
          case 0 -> op.put("path", NAMES.get(random.nextInt(NAMES.size())));
          case 1 -> op.set("value", randomValue(random, 0));
          case 2 -> op.set("value", edit(op.path("value").deepCopy(), random, 1));
          default -> op.put("op", OPS.get(random.nextInt(OPS.size())));
        }
      } else if (ops.isArray() && dice < 9) {
        ((ArrayNode) ops).add(randomOperation(random));
      } else {
        current = edit(current, random, 0);
      }
    }
    return current;
  }

  private static ObjectNode randomOperation(Random random) {
    ObjectNode op = JSON.objectNode();
    op.put("op", OPS.get(random.nextInt(OPS.size())));
    if (random.nextInt(4) > 0) {
      op.put("path", NAMES.get(random.nextInt(NAMES.size())));
    }
    if (random.nextInt(4) > 0) {
      op.set("value", randomValue(random, 0));
    }
    return op;
  }

  private static JsonNode edit(JsonNode node, Random random, int depth) {
    if (node.isContainerNode() && !node.isEmpty() && random.nextInt(6) > 0 && depth < 12) {
      if (node.isArray()) {
        ArrayNode array = (ArrayNode) node;
        int i = random.nextInt(array.size());
        array.set(i, edit(array.get(i), random, depth + 1));
      } else {
        ObjectNode object = (ObjectNode) node;
        List<String> keys = new ArrayList<>();
        object.fieldNames().forEachRemaining(keys::add);
        String key = keys.get(random.nextInt(keys.size()));
        switch (random.nextInt(4)) {
          case 0 -> object.remove(key);
          case 1 -> object.set(NAMES.get(random.nextInt(NAMES.size())), object.remove(key));
          default -> object.set(key, edit(object.get(key), random, depth + 1));
        }
      }
      return node;
    }
    return randomValue(random, 0);
  }

  private static JsonNode randomValue(Random random, int depth) {
    switch (random.nextInt(depth > 3 ? 6 : 9)) {
      case 0: return JSON.nullNode();
      case 1: return JSON.booleanNode(random.nextBoolean());
      case 2: return JSON.numberNode(random.nextInt(100) - 50);
      case 3: return JSON.textNode(OPS.get(random.nextInt(OPS.size())));
      case 4: return JSON.textNode(random.nextBoolean() ? "True" : "false");
      case 5: return JSON.textNode(NAMES.get(random.nextInt(NAMES.size())));
      case 6: {
        ArrayNode a = JSON.arrayNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          a.add(randomValue(random, depth + 1));
        }
        return a;
      }
      default: {
        ObjectNode o = JSON.objectNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          o.set(NAMES.get(random.nextInt(NAMES.size())), randomValue(random, depth + 1));
        }
        return o;
      }
    }
  }
}
