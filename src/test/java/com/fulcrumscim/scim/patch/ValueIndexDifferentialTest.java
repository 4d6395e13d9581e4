package com.fulcrumscim.scim.patch;

import static com.fulcrumscim.scim.schema.TestJson.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.scim.schema.ResourceSchema;
import com.fulcrumscim.scim.schema.ScimSchemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The value index must answer {@code members[value eq "x"]} exactly as evaluating the filter on
 * every member would. Seeded random groups and operation sequences (removals, value changes,
 * adds, Entra's listed removals and unrelated steps between them) are applied twice: once as
 * sent, once with each filter written as {@code value eq "x" and value eq "x"}, which means the
 * same (and describes the same element to create when nothing matches) but is evaluated member
 * by member. Both must end with the same group or the same error.
 */
class ValueIndexDifferentialTest {
  static final List<String> VALUES = List.of("u1", "u2", "U2", "u3", "u4", "u5", "u6");

  final PatchApplier applier = new PatchApplier(new ResourceNormalizer());

  @Test
  void indexedAndEvaluatedValueFiltersGiveTheSameGroup() {
    for (long seed = 1; seed <= 300; seed++) {
      Random random = new Random(seed);
      ObjectNode group = group(random);
      List<String> indexed = new ArrayList<>();
      List<String> evaluated = new ArrayList<>();
      for (int i = 1 + random.nextInt(8); i > 0; i--) {
        String v = VALUES.get(random.nextInt(VALUES.size()));
        String w = VALUES.get(random.nextInt(VALUES.size()));
        String op = switch (random.nextInt(6)) {
          case 0 -> "{'op':'remove','path':'members[%s]'}";
          case 1 -> "{'op':'replace','path':'members[%s].display','value':'d" + i + "'}";
          case 2 -> "{'op':'replace','path':'members[%s]','value':{'value':'" + w + "'}}";
          case 3 -> "{'op':'add','path':'members','value':[{'value':'" + w + "'}]}";
          case 4 -> "{'op':'remove','path':'members','value':[{'value':'" + w + "'}]}";
          default -> "{'op':'replace','path':'displayName','value':'G" + i + "'}";
        };
        indexed.add(op.replace("%s", "value eq \\\"" + v + "\\\""));
        evaluated.add(op.replace("%s", "value eq \\\"" + v + "\\\" and value eq \\\"" + v + "\\\""));
      }
      assertThat(outcome(group, indexed)).as("seed %d: %s", seed, indexed).isEqualTo(outcome(group, evaluated));
    }
  }

  static ObjectNode group(Random random) {
    List<String> members = new ArrayList<>();
    for (int i = random.nextInt(6); i > 0; i--) {
      members.add("{'value':'" + VALUES.get(random.nextInt(VALUES.size())) + "','display':'m" + i + "'}");
    }
    return (ObjectNode) json("{'schemas':['" + ScimSchemas.CORE_GROUP + "'],'id':'g','displayName':'G','members':["
        + String.join(",", members) + "]}");
  }

  /** The group after the operations, or the error they end in. */
  String outcome(ObjectNode group, List<String> ops) {
    JsonNode request = json("{'schemas':['" + ScimSchemas.PATCH_OP + "'],'Operations':[" + String.join(",", ops) + "]}");
    try {
      return applier.apply(group.deepCopy(), request, ResourceSchema.GROUP).resource().toString();
    } catch (ScimException e) {
      return e.status() + " " + e.scimType();
    }
  }
}
