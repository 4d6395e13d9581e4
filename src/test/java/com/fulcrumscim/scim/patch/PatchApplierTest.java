package com.fulcrumscim.scim.patch;

import static com.fulcrumscim.scim.schema.ScimAssertions.assertBadRequest;
import static com.fulcrumscim.scim.schema.TestJson.fixture;
import static com.fulcrumscim.scim.schema.TestJson.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.ResourceSchema;
import com.fulcrumscim.scim.schema.ScimSchemas;
import org.junit.jupiter.api.Test;

/** The PATCH rules that are not a particular client's dialect. */
class PatchApplierTest {
  static final String ENTERPRISE = ScimSchemas.ENTERPRISE_USER;

  final PatchApplier applier = new PatchApplier();
  final ObjectNode user = fixture("okta/user.json");

  @Test
  void schemasGivenMustNameThePatchOp() {
    assertRejected("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User'],"
        + "'Operations':[{'op':'remove','path':'title'}]}", "invalidSyntax", "PatchOp");
  }

  @Test
  void operationsMustBeANonEmptyArray() {
    assertRejected(patch(""), "invalidSyntax", "non-empty");
    assertRejected("{'schemas':['" + ScimSchemas.PATCH_OP + "'],'Operations':{}}",
        "invalidSyntax", "non-empty");
  }

  @Test
  void anUnknownOpIsInvalidSyntax() {
    assertRejected(patch("{'op':'move','path':'title','value':'x'}"), "invalidSyntax",
        "not 'move'");
    assertRejected(patch("{'path':'title','value':'x'}"), "invalidSyntax", "op is required");
    assertRejected(patch("'title'"), "invalidSyntax", "Operations[0] must be an object");
  }

  @Test
  void addAndReplaceNeedAValue() {
    assertRejected(patch("{'op':'add','path':'title'}"), "invalidSyntax", "needs a value");
  }

  @Test
  void removeWithoutAPathIsNoTarget() {
    assertRejected(patch("{'op':'remove'}"), "noTarget", "needs a path");
  }

  @Test
  void aMalformedPathIsInvalidPath() {
    assertRejected(patch("{'op':'replace','path':'emails[type eq','value':'x'}"), "invalidPath",
        "Invalid path");
    assertRejected(patch("{'op':'replace','path':'title[value eq 1]','value':'x'}"),
        "invalidPath", "not a multi-valued complex");
  }

  @Test
  void operationsOnUnknownCoreAttributesAreIgnoredAndTheRestApplies() {
    PatchResult r = apply(patch("{'op':'replace','path':'nosuch','value':'x'},"
        + "{'op':'add','path':'name.nosuch','value':'x'},"
        + "{'op':'replace','path':'emails[type eq \\\"work\\\"].nosuch','value':'x'},"
        + "{'op':'remove','path':'" + ScimSchemas.CORE_USER + ":nosuch'},"
        + "{'op':'replace','value':{'nosuch':'x','title':'T'}}"));
    assertThat(r.resource().toString()).doesNotContainIgnoringCase("nosuch");
    assertThat(r.resource().path("title").asText()).isEqualTo("T");
  }

  @Test
  void changingTheIdIsMutability() {
    assertRejected(patch("{'op':'replace','path':'id','value':'other'}"), "mutability", "id");
    assertRejected(patch("{'op':'remove','path':'id'}"), "mutability", "id");
  }

  @Test
  void metaAndGroupsAreReadOnlyUnlessUnchanged() {
    assertRejected(patch("{'op':'replace','path':'meta.created','value':'2020-01-01T00:00:00Z'}"),
        "mutability", "meta.created");
    assertRejected(patch("{'op':'add','path':'groups','value':[{'value':'g1'}]}"), "mutability",
        "groups");
    PatchResult r = apply(patch("{'op':'replace','value':{'groups':[],"
        + "'meta':" + user.get("meta") + "}}"));
    assertThat(r.changed()).isFalse();
  }

  @Test
  void replacingWithTheSameValueIsUnchanged() {
    PatchResult r = apply(patch("{'op':'replace','path':'displayName','value':'Test User'},"
        + "{'op':'replace','path':'emails[type eq \\\"work\\\"].primary','value':'True'}"));
    assertThat(r.changed()).isFalse();
  }

  @Test
  void theInputIsNeverModified() {
    ObjectNode copy = user.deepCopy();
    applier.apply(user, json(patch("{'op':'remove','path':'name'},{'op':'add','path':'emails',"
        + "'value':[{'value':'x@y'}]}")), ResourceSchema.USER);
    assertThat(user).isEqualTo(copy);
  }

  @Test
  void replacingAComplexAttributeKeepsSubAttributesNotGiven() {
    PatchResult r = apply(patch("{'op':'replace','path':'name','value':{'givenName':'Tess'}}"));
    assertThat(r.resource().get("name")).isEqualTo(json("{'givenName':'Tess',"
        + "'familyName':'User'}"));
  }

  @Test
  void removingTheLastSubAttributeRemovesTheComplexAttribute() {
    PatchResult r = apply(patch("{'op':'remove','path':'name.givenName'},"
        + "{'op':'remove','path':'name.familyName'}"));
    assertThat(r.resource().has("name")).isFalse();
  }

  @Test
  void addingAMultiValuedAttributeAppends() {
    PatchResult r = apply(patch("{'op':'add','path':'emails','value':"
        + "{'value':'home@x','type':'home'}}"));
    assertThat(r.resource().get("emails")).hasSize(2);
  }

  @Test
  void aNewPrimaryValueClearsTheOldPrimary() {
    PatchResult r = apply(patch("{'op':'add','path':'emails','value':"
        + "[{'value':'home@x','type':'home','primary':true}]}"));
    assertThat(r.resource().get("emails")).isEqualTo(json("[{'primary':false,"
        + "'value':'test.user@okta.local','type':'work'},{'value':'home@x','type':'home',"
        + "'primary':true}]"));
  }

  @Test
  void replacingAFilteredElementMergesIntoIt() {
    PatchResult r = apply(patch("{'op':'replace','path':'emails[type eq \\\"work\\\"]',"
        + "'value':{'value':'new@x'}}"));
    assertThat(r.resource().get("emails")).isEqualTo(json("[{'primary':true,'value':'new@x',"
        + "'type':'work'}]"));
  }

  @Test
  void removingAFilteredSubAttributeKeepsTheElement() {
    PatchResult r = apply(patch("{'op':'remove','path':'emails[type eq \\\"work\\\"].primary'}"));
    assertThat(r.resource().get("emails")).isEqualTo(json("[{'value':'test.user@okta.local',"
        + "'type':'work'}]"));
  }

  @Test
  void aFilterThatCannotDescribeANewElementIsNoTarget() {
    assertRejected(patch("{'op':'replace','path':'emails[type ne \\\"work\\\"].value','value':'x'}"),
        "noTarget", "does not describe");
  }

  @Test
  void aValueFilterOnAnUnknownSubAttributeIsInvalidFilter() {
    assertRejected(patch("{'op':'remove','path':'emails[nosuch eq \\\"x\\\"]'}"), "invalidFilter",
        "emails.nosuch");
  }

  @Test
  void theWholeEnterpriseExtensionCanBeReplacedOrRemoved() {
    PatchResult added = apply(patch("{'op':'add','path':'" + ENTERPRISE + "',"
        + "'value':{'Department':'D','manager':{'value':'m'}}}"));
    assertThat(added.resource().get(ENTERPRISE)).isEqualTo(json("{'department':'D',"
        + "'manager':{'value':'m'}}"));
    PatchResult removed = applier.apply(added.resource(),
        json(patch("{'op':'remove','path':'" + ENTERPRISE + "'}")), ResourceSchema.USER);
    assertThat(removed.resource().has(ENTERPRISE)).isFalse();
    assertThat(removed.resource().get("schemas")).hasSize(1);
  }

  @Test
  void aPathLessValueMayNestTheExtensionObject() {
    PatchResult r = apply(patch("{'op':'replace','value':{'" + ENTERPRISE
        + "':{'department':'D'}}}"));
    assertThat(r.resource().get(ENTERPRISE).get("department").asText()).isEqualTo("D");
  }

  @Test
  void aCustomAttributeUnderTheEnterpriseUrnStaysInsideTheEnterpriseObject() {
    PatchResult r = apply(patch("{'op':'add','path':'" + ENTERPRISE + ":badge',"
        + "'value':{'code':'B-1'}},{'op':'add','path':'" + ENTERPRISE + ":role','value':'Owner'}"));
    assertThat(r.resource().get(ENTERPRISE)).isEqualTo(json("{'badge':{'code':'B-1'},"
        + "'role':'Owner'}"));
    assertThat(r.resource().get("schemas")).hasSize(2);
  }

  @Test
  void theCoreSchemaUrnAsAPathNamesTopLevelAttributes() {
    PatchResult r = apply(patch("{'op':'replace','path':'" + ScimSchemas.CORE_USER + "',"
        + "'value':{'title':'Chief'}}"));
    assertThat(r.resource().get("title").asText()).isEqualTo("Chief");
    assertRejected(patch("{'op':'remove','path':'" + ScimSchemas.CORE_USER + "'}"),
        "invalidPath", "cannot be removed");
  }

  @Test
  void theResultObeysTheNormalizerInvariants() {
    assertRejected(patch("{'op':'replace','path':'userName','value':''}"), "invalidValue",
        "userName");
    assertRejected(patch("{'op':'replace','path':'active','value':'maybe'}"), "invalidValue",
        "active");
    assertThat(apply(patch("{'op':'replace','path':'emails','value':[{'value':'a','x':1}]}")).resource()
        .path("emails").toString()).as("an unknown sub-attribute is dropped").isEqualTo("[{\"value\":\"a\"}]");
  }

  @Test
  void removingAGroupsDisplayNameIsRefused() {
    ObjectNode group = fixture("okta/group.json");
    assertThatThrownBy(() -> applier.apply(group,
        json(patch("{'op':'remove','path':'displayName'}")), ResourceSchema.GROUP))
        .isInstanceOfSatisfying(ScimException.class,
            e -> assertThat(e.detail()).contains("displayName is required"));
  }

  @Test
  void removingAllMembersLeavesAnEmptyList() {
    ObjectNode group = fixture("okta/group.json");
    PatchResult r = applier.apply(group, json(patch("{'op':'remove','path':'members'}")),
        ResourceSchema.GROUP);
    assertThat(r.resource().get("members")).isEmpty();
    assertThat(r.changed()).isTrue();
  }

  @Test
  void tooManyOperationsAreRefused() {
    String op = "{'op':'replace','path':'title','value':'t'},";
    String ops = op.repeat(PatchApplier.MAX_OPERATIONS + 1);
    assertRejected(patch(ops.substring(0, ops.length() - 1)), "invalidValue", "limit of 1000");
  }

  @Test
  void oktasRemovalOfMoreMembersThanTheOperationLimitIsAppliedWithTheRenameBesideIt() {
    int removed = PatchApplier.MAX_OPERATIONS + 500;
    String request = patch("{'op':'replace','value':{'displayName':'Renamed'}},"
        + ops(removed, i -> "{'op':'remove','path':'members[value eq \\\"m" + i * 2 + "\\\"]'}"));
    JsonNode group = applier.apply(group(3_000), json(request), ResourceSchema.GROUP).resource();
    assertThat(group.get("members")).hasSize(3_000 - removed);
    assertThat(group.get("displayName").asText()).isEqualTo("Renamed");
  }

  @Test
  void aGroupRequestOverTheOperationLimitBesidesItsRemovalsIsStillRefused() {
    String adds = ops(PatchApplier.MAX_OPERATIONS + 1, i -> "{'op':'add','path':'members','value':[{'value':'n" + i + "'}]}");
    String request = patch("{'op':'remove','path':'members[value eq \\\"m1\\\"]'}," + adds);
    assertBadRequest(() -> applier.apply(group(3), json(request), ResourceSchema.GROUP), "invalidValue", "limit of 1000");
  }

  @Test
  void aDeeplyNestedValueIsRefused() {
    String deep = "{'a':".repeat(40) + "1" + "}".repeat(40);
    assertRejected(patch("{'op':'add','path':'urn:x:y:z','value':" + deep + "}"),
        "invalidSyntax", "nested deeper");
  }

  @Test
  void aValueFilterWithTooManyComparisonsIsTooMany() {
    String filter = "type eq \\\"work\\\" or ".repeat(PatchApplier.MAX_FILTER_TERMS) + "type eq \\\"home\\\"";
    assertRejected(patch("{'op':'remove','path':'emails[" + filter + "]'}"), "tooMany", "comparisons");
  }

  @Test
  void filteredOperationsBeyondTheEvaluationBudgetAreTooManyBeforeTheyRun() {
    // each op compares two terms on every one of 20,000 members: 40,000 evaluations
    String op = "{'op':'remove','path':'members[display co \\\"x\\\" or display co \\\"y\\\"]'}";
    assertBadRequest(() -> onLargeGroup(26, op), "tooMany", "filter evaluations");
    assertThat(onLargeGroup(24, op).changed()).isFalse();
  }

  @Test
  void oktasOneRemovalPerMemberOn20000MembersRemovesExactlyThoseMembers() {
    ObjectNode group = group(20_000);
    String request = patch(ops(256,
        i -> "{'op':'remove','path':'members[value eq \\\"m" + i * 50 + "\\\"]'}"));
    JsonNode members = applier.apply(group, json(request), ResourceSchema.GROUP).resource()
        .get("members");
    assertThat(members).hasSize(20_000 - 256);
    java.util.Set<String> left = new java.util.HashSet<>();
    members.forEach(m -> left.add(m.get("value").asText()));
    for (int i = 0; i < 20_000; i++) {
      assertThat(left.contains("m" + i)).as("m" + i).isEqualTo(i % 50 != 0 || i >= 256 * 50);
    }
  }

  @Test
  void entrasListedRemovalOf256MembersRemovesExactlyThoseMembers() {
    ObjectNode group = group(20_000);
    String listed = ops(256, i -> "{'value':'m" + (i * 3 + 1) + "'}");
    JsonNode members = applier.apply(group,
        json(patch("{'op':'Remove','path':'members','value':[" + listed + "]}")),
        ResourceSchema.GROUP).resource().get("members");
    assertThat(members).hasSize(20_000 - 256);
    members.forEach(m -> {
      int n = Integer.parseInt(m.get("value").asText().substring(1));
      assertThat(n % 3 == 1 && n < 256 * 3).as(m.toString()).isFalse();
    });
  }

  @Test
  void onlyAPlainValueEqIsLookedUpRatherThanChargedPerMember() {
    String op = "{'op':'remove','path':'members[value eq \\\"m1\\\" and type eq \\\"User\\\"]'}";
    assertBadRequest(() -> onLargeGroup(30, op), "tooMany", "filter evaluations");
  }

  @Test
  void aMemberAddedBetweenValueEqRemovalsIsFoundByTheNextOne() {
    ObjectNode group = group(3);
    String remove = "{'op':'remove','path':'members[value eq \\\"m1\\\"]'}";
    JsonNode members = applier.apply(group, json(patch(remove
        + ",{'op':'add','path':'members','value':[{'value':'m1'}]}," + remove)),
        ResourceSchema.GROUP).resource().get("members");
    assertThat(members.toString()).doesNotContain("m1");
  }

  @Test
  void aValueChangedByOneOperationIsFoundByTheNextUnderItsNewValue() {
    PatchResult r = apply(patch(
        "{'op':'replace','path':'emails[value eq \\\"" + user.at("/emails/0/value").asText()
            + "\\\"]','value':{'value':'New@Example.com'}},"
            + "{'op':'replace','path':'emails[value eq \\\"new@example.COM\\\"].type','value':'home'}"));
    assertThat(r.resource().get("emails")).hasSize(user.get("emails").size());
    assertThat(r.resource().at("/emails/0/type").asText()).isEqualTo("home");
  }

  /** {@code times} copies of {@code op} applied to a 20,000-member group. */
  private PatchResult onLargeGroup(int times, String op) {
    return applier.apply(group(20_000), json(patch(ops(times, i -> op))), ResourceSchema.GROUP);
  }

  /** A group whose members are m0, m1, ... */
  private static ObjectNode group(int size) {
    String members = ops(size, i -> "{'value':'m" + i + "','display':'Member " + i + "'}");
    return json("{'schemas':['" + ScimSchemas.CORE_GROUP + "'],'id':'g','displayName':'G','members':["
        + members + "]}").deepCopy();
  }

  private static String ops(int n, java.util.function.IntFunction<String> op) {
    return java.util.stream.IntStream.range(0, n).mapToObj(op).collect(java.util.stream.Collectors.joining(","));
  }

  private PatchResult apply(String request) {
    return applier.apply(user, json(request), ResourceSchema.USER);
  }

  private void assertRejected(String request, String scimType, String detail) {
    JsonNode body = json(request);
    assertBadRequest(() -> applier.apply(user, body, ResourceSchema.USER), scimType, detail);
  }

  static String patch(String operations) {
    return "{'schemas':['" + ScimSchemas.PATCH_OP + "'],'Operations':[" + operations + "]}";
  }
}
