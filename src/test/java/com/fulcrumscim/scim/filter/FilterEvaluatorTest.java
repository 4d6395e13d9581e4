package com.fulcrumscim.scim.filter;

import static com.fulcrumscim.scim.schema.ScimAssertions.assertBadRequest;
import static com.fulcrumscim.scim.schema.TestJson.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.ResourceSchema;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FilterEvaluatorTest {
  static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

  static final JsonNode USER = json("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User'],"
      + "'id':'2819c223-7f76','externalId':'Ext-7','userName':'Test.User@Okta.local',"
      + "'name':{'givenName':'Test','familyName':'User'},'displayName':'Test User',"
      + "'active':true,'title':'Surveyor',"
      + "'emails':[{'value':'home@x.example','type':'home'},"
      + "{'value':'Test.User@Okta.local','type':'work','primary':true}],"
      + "'roles':[{'value':'Manager','primary':true}],"
      + "'meta':{'created':'2026-01-02T03:04:05Z','lastModified':'2026-03-01T10:00:00+01:00'},"
      + "'" + ENTERPRISE + "':{'department':'Field','manager':{'value':'m-1'},'role':'Owner'},"
      + "'urn:example:acme:2.0:User':{'costCode':'AB-1'}}");

  static Stream<Arguments> filters() {
    return Stream.of(
        Arguments.of("userName eq \"test.user@okta.local\"", true),
        Arguments.of("USERNAME EQ \"TEST.USER@OKTA.LOCAL\"", true),
        Arguments.of("userName eq \"other@okta.local\"", false),
        Arguments.of("userName ne \"other@okta.local\"", true),
        Arguments.of("id eq \"2819c223-7f76\"", true),
        Arguments.of("id eq \"2819C223-7F76\"", false),
        Arguments.of("externalId eq \"Ext-7\"", true),
        Arguments.of("externalId eq \"ext-7\"", false),
        Arguments.of("displayName eq \"test user\"", true),
        Arguments.of("userName sw \"TEST.\"", true),
        Arguments.of("userName ew \"LOCAL\"", true),
        Arguments.of("userName co \"user@\"", true),
        Arguments.of("userName gt \"a\"", true),
        Arguments.of("userName lt \"a\"", false),
        Arguments.of("name.familyName eq \"user\"", true),
        Arguments.of("emails.value eq \"home@x.example\"", true),
        Arguments.of("emails eq \"HOME@x.example\"", true),
        Arguments.of("emails.type eq \"other\"", false),
        Arguments.of("emails[type eq \"work\"].value eq \"test.user@okta.local\"", true),
        Arguments.of("emails[type eq \"home\"].value eq \"test.user@okta.local\"", false),
        Arguments.of("emails[type eq \"work\" and primary eq true]", true),
        Arguments.of("emails[type eq \"home\" and primary eq true]", false),
        Arguments.of("emails[type eq \"home\" and primary eq \"False\"]", false),
        Arguments.of("emails[not (primary pr)].type eq \"home\"", true),
        Arguments.of("active eq true", true),
        Arguments.of("active eq \"True\"", true),
        Arguments.of("active ne true", false),
        Arguments.of("title pr", true),
        Arguments.of("nickName pr", false),
        Arguments.of("nickName eq null", true),
        Arguments.of("title ne null", true),
        Arguments.of("roles[primary eq true].value eq \"manager\"", true),
        Arguments.of("meta.created gt \"2026-01-01T00:00:00Z\"", true),
        Arguments.of("meta.created lt \"2026-01-02T04:04:05+01:00\"", false),
        Arguments.of("meta.created ge \"2026-01-02T04:04:05+01:00\"", true),
        Arguments.of("meta.lastModified le \"2026-03-01T09:00:00Z\"", true),
        Arguments.of(ENTERPRISE + ":department eq \"field\"", true),
        Arguments.of(ENTERPRISE + ":manager.value eq \"m-1\"", true),
        Arguments.of(ENTERPRISE + ":role eq \"owner\"", true),
        Arguments.of("urn:example:acme:2.0:User:costCode eq \"ab-1\"", true),
        Arguments.of("urn:example:other:2.0:User:costCode pr", false),
        Arguments.of("urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"test\"", true),
        Arguments.of("title pr and not (userName eq \"x\")", true),
        Arguments.of("title eq \"x\" or userName sw \"t\" and active eq false", false),
        Arguments.of("(title eq \"x\" or userName sw \"t\") and active eq true", true));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("filters")
  void filtersFollowTheSchemaRules(String filter, boolean expected) {
    assertThat(FilterEvaluator.matches(FilterParser.parse(filter), USER, ResourceSchema.USER))
        .isEqualTo(expected);
  }

  static Stream<Arguments> unsupported() {
    return Stream.of(
        Arguments.of("active gt true", "booleans support only eq and ne"),
        Arguments.of("active eq 1", "expected true or false"),
        Arguments.of("name eq \"x\"", "complex"),
        Arguments.of("name gt \"x\"", "complex"),
        Arguments.of("userName eq 5", "expected a string"),
        Arguments.of("userName gt null", "gt null"),
        Arguments.of("meta.created gt \"yesterday\"", "xsd:dateTime"),
        Arguments.of("meta.created co \"2026\"", "only strings"),
        Arguments.of("nosuch eq \"x\"", "Unknown attribute nosuch"),
        Arguments.of("name.nosuch pr", "Unknown attribute"),
        Arguments.of("emails[nosuch eq \"x\"]", "Unknown attribute emails.nosuch"),
        Arguments.of("title[value eq \"x\"]", "not complex"),
        Arguments.of(ENTERPRISE + ":manager.nosuch pr", "Unknown attribute"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsupported")
  void unsupportedComparisonsAreInvalidFilterBeforeAnyResourceIsRead(String filter, String detail) {
    assertBadRequest(() -> FilterEvaluator.validate(FilterParser.parse(filter),
        ResourceSchema.USER), "invalidFilter", detail);
  }

  @Test
  void groupDisplayNamesCompareWithoutCase() {
    JsonNode group = json("{'displayName':'APP-X','members':[{'value':'u1'}]}");
    assertThat(FilterEvaluator.matches(FilterParser.parse("displayName eq \"app-x\""), group,
        ResourceSchema.GROUP)).isTrue();
    assertThat(FilterEvaluator.matches(FilterParser.parse("members[value eq \"u1\"]"), group,
        ResourceSchema.GROUP)).isTrue();
    assertThat(FilterEvaluator.matches(FilterParser.parse("members.value eq \"U1\""), group,
        ResourceSchema.GROUP)).isFalse();
  }

  /** What a compiled filter reports it cost over one resource. */
  static long costOver(String filter, JsonNode resource) {
    long[] spent = {0};
    FilterEvaluator.compile(FilterParser.parse(filter), ResourceSchema.USER, units -> spent[0] += units).test(resource);
    return spent[0];
  }

  @Test
  void eachTestOfAShortValueCostsOneEvaluation() {
    // the two emails' types, then the work email's value
    assertThat(costOver("emails[type eq \"work\"].value eq \"test.user@okta.local\"", USER)).isEqualTo(3);
    assertThat(costOver("active eq true and title pr", USER)).isEqualTo(2);
  }

  @Test
  void aLongStringCostsOneEvaluationPer64CharactersAndCoAlsoPer16OfItsLiteral() {
    JsonNode user = json("{'userName':'u','title':'" + "a".repeat(64 * 1000) + "'}");
    assertThat(costOver("title eq \"b\"", user)).isEqualTo(1000);
    assertThat(costOver("title sw \"" + "a".repeat(256) + "\"", user)).isEqualTo(1000);
    assertThat(costOver("title co \"" + "a".repeat(16) + "\"", user)).isEqualTo(1000);
    assertThat(costOver("title co \"" + "a".repeat(255) + "b\"", user)).isEqualTo(16_000);
  }

  @Test
  void aDecomposedLiteralMatchesTheComposedValue() {
    JsonNode user = json("{'userName':'jos\u00e9@x.example','title':'Caf\u00e9'}");
    assertThat(FilterEvaluator.matches(FilterParser.parse("userName eq \"JOSE\u0301@x.example\""), user,
        ResourceSchema.USER)).isTrue();
    assertThat(FilterEvaluator.matches(FilterParser.parse("title ew \"e\u0301\""), user, ResourceSchema.USER)).isTrue();
  }

  @Test
  void aUserAttributeIsUnknownForGroups() {
    assertThatThrownBy(() -> FilterEvaluator.validate(FilterParser.parse("userName eq \"a\""),
        ResourceSchema.GROUP)).isInstanceOf(ScimException.class);
  }
}
