package com.fulcrumscim.scim.schema;

import static com.fulcrumscim.scim.schema.ScimAssertions.assertBadRequest;
import static com.fulcrumscim.scim.schema.TestJson.fixture;
import static com.fulcrumscim.scim.schema.TestJson.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ResourceNormalizerTest {
  static final String ENTERPRISE = ScimSchemas.ENTERPRISE_USER;

  final ResourceNormalizer normalizer = new ResourceNormalizer();

  @Test
  void oktasCreateBodyKeepsItsAttributesAndDropsPasswordAndGroups() {
    ObjectNode user = normalizer.user(fixture("okta/create-user.json"), null);
    assertThat(user.get("userName").asText()).isEqualTo("test.user@okta.local");
    assertThat(user.get("name").get("givenName").asText()).isEqualTo("Test");
    assertThat(user.get("emails").get(0).get("primary").asBoolean()).isTrue();
    assertThat(user.get("locale").asText()).isEqualTo("en-US");
    assertThat(user.has("password")).isFalse();
    assertThat(user.has("groups")).isFalse();
    assertThat(user.toString()).doesNotContain("1mz050nq");
  }

  @Test
  void schemasComeFirstAndListTheExtensionsPresent() {
    ObjectNode user = normalizer.user(fixture("okta/put-user-echo.json"), null);
    assertThat(user.fieldNames().next()).isEqualTo("schemas");
    assertThat(user.get("schemas")).extracting(JsonNode::asText)
        .containsExactly(ScimSchemas.CORE_USER, ENTERPRISE);
  }

  @Test
  void oktasPutEchoIgnoresIdMetaGroupsAndPassword() {
    ObjectNode user = normalizer.user(fixture("okta/put-user-echo.json"), null);
    assertThat(user.has("id")).isFalse();
    assertThat(user.has("meta")).isFalse();
    assertThat(user.has("groups")).isFalse();
    assertThat(user.has("password")).isFalse();
    assertThat(user.get("emails").get(0).get("display").asText()).isEqualTo("test.user@okta.local");
    assertThat(user.get("role").asText()).isEqualTo("Manager");
    assertThat(user.get(ENTERPRISE).get("department").asText()).isEqualTo("Field Ops");
  }

  @Test
  void entrasPascalCaseNamesAndStringBooleansBecomeCanonical() {
    ObjectNode user = normalizer.user(fixture("entra/create-user.json"), null);
    assertThat(user.get("userName").asText()).isEqualTo("Kaylee_Hills@contoso.example");
    assertThat(user.get("active").isBoolean()).isTrue();
    assertThat(user.get("active").asBoolean()).isTrue();
    assertThat(user.get("name").get("formatted").asText()).isEqualTo("Alberta");
    assertThat(user.get("emails").get(0).get("primary").isBoolean()).isTrue();
    assertThat(user.get("phoneNumbers").get(1).get("primary").booleanValue()).isFalse();
    assertThat(user.get("addresses").get(0).get("primary").booleanValue()).isTrue();
    assertThat(user.get("roles").get(0).get("primary").booleanValue()).isTrue();
    assertThat(user.get(ENTERPRISE).get("manager").get("value").asText()).isEqualTo("OWBXWWIRMXMS");
  }

  @Test
  void entrasGroupWithAnUnknownSchemaUrnAndMetaIsAccepted() {
    ObjectNode group = normalizer.group(fixture("entra/create-group.json"));
    assertThat(group.get("schemas")).extracting(JsonNode::asText)
        .containsExactly(ScimSchemas.CORE_GROUP);
    assertThat(group.get("displayName").asText()).isEqualTo("Group1DisplayName");
    assertThat(group.has("meta")).isFalse();
    assertThat(group.get("members").isArray()).isTrue();
  }

  @Test
  void aUserIsActiveUnlessToldOtherwise() {
    assertThat(normalizer.user(json("{'schemas':[],'userName':'a'}"), null).get("active").asBoolean())
        .isTrue();
    assertThat(normalizer.user(json("{'schemas':[],'userName':'a','active':'FALSE'}"), null)
        .get("active").asBoolean()).isFalse();
  }

  @Test
  void groupMembersAreDistinctByValueAndNullRefIsTolerated() {
    ObjectNode group = normalizer.group(json("{'schemas':[],'displayName':'G','members':["
        + "{'value':'u1','display':'one','$ref':null},{'Value':'u2'},{'value':'u1'}]}"));
    assertThat(group.get("members")).extracting(m -> m.get("value").asText())
        .containsExactly("u1", "u2");
    assertThat(group.get("members").get(0).has("$ref")).isFalse();
  }

  @Test
  void aMemberWithoutValueIsInvalidValue() {
    assertBadRequest(() -> normalizer.group(json("{'schemas':[],'displayName':'G',"
        + "'members':[{'display':'x'}]}")), "invalidValue", "members[].value");
  }

  @Test
  void theManagerMayBeABareIdOrAnArray() {
    assertThat(managerOf("'123'")).isEqualTo("123");
    assertThat(managerOf("[{'$ref':'../Users/9','value':'9'}]")).isEqualTo("9");
    assertThat(managerOf("{'Value':'7','displayName':'ignored, read-only'}")).isEqualTo("7");
  }

  @Test
  void aManagerWithABlankValueIsUnassigned() {
    ObjectNode user = normalizer.user(json("{'schemas':[],'userName':'a','" + ENTERPRISE
        + "':{'manager':{'value':''},'department':'D'}}"), null);
    assertThat(user.get(ENTERPRISE).has("manager")).isFalse();
    assertThat(user.get(ENTERPRISE).get("department").asText()).isEqualTo("D");
  }

  @Test
  void unknownUrnExtensionsAreKeptAsSent() {
    String acme = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";
    ObjectNode user = normalizer.user(json("{'schemas':[],'userName':'a','" + acme
        + "':{'role':'Owner','Other':{'x':1}}}"), null);
    assertThat(user.get(acme)).isEqualTo(json("{'role':'Owner','Other':{'x':1}}"));
    assertThat(user.get("schemas")).extracting(JsonNode::asText).contains(acme);
  }

  @Test
  void aCustomAttributeInsideAKnownExtensionIsKept() {
    ObjectNode user = normalizer.user(json("{'schemas':[],'userName':'a','" + ENTERPRISE
        + "':{'role':'Manager'}}"), null);
    assertThat(user.get(ENTERPRISE).get("role").asText()).isEqualTo("Manager");
  }

  @Test
  void urnQualifiedAttributeKeysLandInTheirExtension() {
    ObjectNode user = normalizer.user(json("{'schemas':[],'userName':'a','" + ENTERPRISE
        + ":employeeNumber':'42'}"), null);
    assertThat(user.get(ENTERPRISE).get("employeeNumber").asText()).isEqualTo("42");
  }

  @Test
  void emptyValuesAreUnassigned() {
    ObjectNode user = normalizer.user(json("{'schemas':[],'userName':'a','title':null,"
        + "'emails':[],'name':{},'phoneNumbers':[{'value':''}]}"), null);
    assertThat(user.has("title")).isFalse();
    assertThat(user.has("emails")).isFalse();
    assertThat(user.has("name")).isFalse();
    assertThat(user.has("phoneNumbers")).isFalse();
  }

  @Test
  void aBodyThatIsNotAnObjectIsInvalidSyntax() {
    assertBadRequest(() -> normalizer.user(json("[1]"), null), "invalidSyntax", "JSON object");
    assertBadRequest(() -> normalizer.user(null, null), "invalidSyntax", "JSON object");
  }

  @Test
  void missingSchemasIsInvalidSyntax() {
    assertBadRequest(() -> normalizer.user(json("{'userName':'a'}"), null), "invalidSyntax", "schemas");
    assertBadRequest(() -> normalizer.user(json("{'schemas':'x','userName':'a'}"), null), "invalidSyntax",
        "schemas");
    assertBadRequest(() -> normalizer.user(json("{'schemas':[1],'userName':'a'}"), null), "invalidSyntax",
        "schemas");
  }

  @Test
  void aMissingOrBlankUserNameIsInvalidValue() {
    assertBadRequest(() -> normalizer.user(json("{'schemas':[]}"), null), "invalidValue", "userName");
    assertBadRequest(() -> normalizer.user(json("{'schemas':[],'userName':'  '}"), null), "invalidValue",
        "userName");
    assertBadRequest(() -> normalizer.group(json("{'schemas':[],'displayName':''}")),
        "invalidValue", "displayName");
  }

  @Test
  void unknownTopLevelAttributesAreDropped() {
    assertThat(normalizer.user(json("{'schemas':[],'userName':'a','adreses':[{'x':1}],'bar':2}"), null))
        .isEqualTo(normalizer.user(json("{'schemas':[],'userName':'a'}"), null));
    assertThat(normalizer.group(json("{'schemas':[],'displayName':'a','userName':'x'}")).has("userName")).isFalse();
  }

  @Test
  void unknownSubAttributesAreDroppedAndTheKnownOnesKept() {
    assertThat(normalizer.user(json("{'schemas':[],'userName':'a','name':{'nick':'x','givenName':'Ada'}}"), null)
        .path("name").toString()).isEqualTo("{\"givenName\":\"Ada\"}");
    assertThat(normalizer.group(json("{'schemas':[],'displayName':'a','members':[{'value':'u1','displayName':'Ada'}]}"))
        .path("members").toString()).isEqualTo("[{\"value\":\"u1\"}]");
  }

  @Test
  void aTypeErrorOnAKnownAttributeStaysInvalidValueBesideUnknownOnes() {
    assertBadRequest(() -> normalizer.user(json("{'schemas':[],'userName':'a','adreses':1,'active':'maybe'}"), null),
        "invalidValue", "active must be a boolean");
  }

  @Test
  void wrongTypesAreInvalidValueNamingTheAttribute() {
    assertBadRequest(() -> normalizer.user(json("{'schemas':[],'userName':5}"), null), "invalidValue",
        "userName must be a string");
    assertBadRequest(() -> normalizer.user(json("{'schemas':[],'userName':'a','active':'yes'}"), null),
        "invalidValue", "active must be a boolean");
    assertBadRequest(() -> normalizer.user(json("{'schemas':[],'userName':'a','emails':{}}"), null),
        "invalidValue", "emails must be an array");
    assertBadRequest(() -> normalizer.user(json("{'schemas':[],'userName':'a','name':'x'}"), null),
        "invalidValue", "name must be a JSON object");
    assertBadRequest(() -> normalizer.user(json("{'schemas':[],'userName':'a',"
        + "'roles':[{'primary':'maybe'}]}"), null), "invalidValue", "roles.primary");
  }

  @Test
  void theSameAttributeTwiceInDifferentCaseIsInvalidSyntax() {
    assertBadRequest(() -> normalizer.user(json("{'schemas':[],'userName':'a','UserName':'b'}"), null),
        "invalidSyntax", "more than once");
  }

  @Test
  void deepNestingIsRejected() {
    String deep = "{'a':".repeat(40) + "1" + "}".repeat(40);
    assertBadRequest(() -> normalizer.user(json("{'schemas':[],'userName':'a',"
        + "'urn:x:y':" + deep + "}"), null), "invalidSyntax", "nested deeper");
  }

  @Test
  void oversizedStringsAndArraysAreRejected() {
    ResourceNormalizer small = new ResourceNormalizer(new InputLimits(32, 10, 3, 3));
    assertBadRequest(() -> small.user(json("{'schemas':[],'userName':'abcdefghijkl'}"), null),
        "invalidValue", "limit of 10");
    assertBadRequest(() -> small.user(json("{'schemas':[],'userName':'a','emails':"
        + "[{'value':'1'},{'value':'2'},{'value':'3'},{'value':'4'}]}"), null), "invalidValue",
        "limit of 3");
  }

  @Test
  void moreValuesThanTheLimitInAMultiValuedAttributeIsTooManyButMembersAreNotCapped() {
    ResourceNormalizer small = new ResourceNormalizer(new InputLimits(32, 100, 1000, 2));
    assertBadRequest(() -> small.user(json("{'schemas':[],'userName':'a','emails':"
        + "[{'value':'1'},{'value':'2'},{'value':'3'}]}"), null), "tooMany", "emails has 3 values; at most 2");
    assertThat(small.group(json("{'schemas':[],'displayName':'g','members':"
        + "[{'value':'1'},{'value':'2'},{'value':'3'}]}")).path("members").size()).isEqualTo(3);
  }

  @Test
  void normalizingTwiceChangesNothing() {
    ObjectNode once = normalizer.user(fixture("entra/create-user.json"), null);
    assertThat(normalizer.user(once, null)).isEqualTo(once);
  }

  private String managerOf(String manager) {
    ObjectNode user = normalizer.user(json("{'schemas':[],'userName':'a','" + ENTERPRISE
        + "':{'manager':" + manager + "}}"), null);
    JsonNode m = user.get(ENTERPRISE).get("manager");
    assertThat(m.has("displayName")).isFalse();
    return m.get("value").asText();
  }
}
