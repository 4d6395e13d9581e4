package com.fulcrumscim.scim.filter;

import static com.fulcrumscim.scim.schema.ScimAssertions.assertBadRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fulcrumscim.scim.ScimException;
import java.math.BigDecimal;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class FilterParserTest {
  static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

  /** Each filter and its shape in a compact prefix notation. */
  static Stream<Arguments> grammar() {
    return Stream.of(
        Arguments.of("userName eq \"bjensen\"", "userName eq \"bjensen\""),
        Arguments.of("name.familyName co \"O'Malley\"", "name.familyName co \"O'Malley\""),
        Arguments.of("userName sw \"J\"", "userName sw \"J\""),
        Arguments.of("title pr", "title pr"),
        Arguments.of("meta.lastModified gt \"2011-05-13T04:42:34Z\"",
            "meta.lastModified gt \"2011-05-13T04:42:34Z\""),
        Arguments.of("meta.lastModified ge \"2011-05-13T04:42:34Z\"",
            "meta.lastModified ge \"2011-05-13T04:42:34Z\""),
        Arguments.of("x lt 5", "x lt 5"),
        Arguments.of("x le -1.5e3", "x le -1.5E+3"),
        Arguments.of("x ne null", "x ne null"),
        Arguments.of("x ew \"z\"", "x ew \"z\""),
        Arguments.of("title pr and userType eq \"Employee\"",
            "(and title pr, userType eq \"Employee\")"),
        Arguments.of("title pr or userType eq \"Intern\"",
            "(or title pr, userType eq \"Intern\")"),
        Arguments.of("a pr or b pr and c pr", "(or a pr, (and b pr, c pr))"),
        Arguments.of("a pr and b pr or c pr", "(or (and a pr, b pr), c pr)"),
        Arguments.of("(a pr or b pr) and c pr", "(and (or a pr, b pr), c pr)"),
        Arguments.of("a pr and b pr and c pr", "(and (and a pr, b pr), c pr)"),
        Arguments.of("userType eq \"Employee\" and not (emails co \"example.com\")",
            "(and userType eq \"Employee\", (not emails co \"example.com\"))"),
        Arguments.of("not(a pr)", "(not a pr)"),
        Arguments.of("userType eq \"Employee\" and (emails.type eq \"work\")",
            "(and userType eq \"Employee\", emails.type eq \"work\")"),
        Arguments.of("emails[type eq \"work\" and value co \"@example.com\"]",
            "emails[(and type eq \"work\", value co \"@example.com\")]"),
        Arguments.of("emails[type eq \"work\"].value eq \"x@y\"",
            "emails[(and type eq \"work\", value eq \"x@y\")]"),
        Arguments.of("emails[type eq \"work\" and primary eq true]",
            "emails[(and type eq \"work\", primary eq true)]"),
        Arguments.of(ENTERPRISE + ":manager.value eq \"7\"",
            ENTERPRISE + ":manager.value eq \"7\""),
        Arguments.of("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"a\"",
            "urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"a\""),
        Arguments.of("members.$ref pr", "members.$ref pr"),
        Arguments.of("USERNAME EQ \"a\" AND Active Eq TRUE",
            "(and USERNAME eq \"a\", Active eq true)"),
        Arguments.of("  userName   eq   \"a\"  ", "userName eq \"a\""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("grammar")
  void theGrammarParses(String filter, String shape) {
    assertThat(show(FilterParser.parse(filter))).isEqualTo(shape);
  }

  @Test
  void literalsAreTyped() {
    assertThat(value("x eq true")).isEqualTo(BooleanNode.TRUE);
    assertThat(value("x eq False")).isEqualTo(BooleanNode.FALSE);
    assertThat(value("x eq null")).isEqualTo(NullNode.instance);
    assertThat(value("x eq 12").bigIntegerValue().intValue()).isEqualTo(12);
    assertThat(value("x eq 1.25").decimalValue()).isEqualByComparingTo(new BigDecimal("1.25"));
  }

  @Test
  void stringLiteralsHaveJsonEscapes() {
    assertThat(value("x eq \"a\\\"b\\\\c\\/d\\n\\u00e9\"")).isEqualTo(TextNode.valueOf("a\"b\\c/d\né"));
  }

  @Test
  void aPathParsesAttributeFilterAndSubAttribute() {
    PatchPath p = FilterParser.parsePath("emails[type eq \"work\"].value");
    assertThat(p.attribute()).isEqualTo(new AttrPath(null, "emails", null));
    assertThat(show(p.valueFilter())).isEqualTo("type eq \"work\"");
    assertThat(p.subAttribute()).isEqualTo("value");
    PatchPath m = FilterParser.parsePath(ENTERPRISE + ":manager");
    assertThat(m.attribute()).isEqualTo(new AttrPath(ENTERPRISE, "manager", null));
    assertThat(FilterParser.parsePath("name.givenName").attribute())
        .isEqualTo(new AttrPath(null, "name", "givenName"));
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("", "empty"),
        Arguments.of("userName", "position 8"),
        Arguments.of("userName eq", "position 11"),
        Arguments.of("userName xx \"a\"", "position 9: unknown operator 'xx'"),
        Arguments.of("userName eq \"a", "position 12: unterminated string"),
        Arguments.of("userName eq 'a'", "position 12"),
        Arguments.of("userName eq \"a\" and", "position 19"),
        Arguments.of("userName eq \"a\" xor b pr", "position 16"),
        Arguments.of("(userName pr", "position 0: '(' is never closed"),
        Arguments.of("userName pr)", "position 11"),
        Arguments.of("emails[type eq \"work\"", "position 6: '[' is never closed"),
        Arguments.of("emails[type[value pr] pr]", "position 11"),
        Arguments.of("name.givenName.x pr", "position 5"),
        Arguments.of("1abc pr", "position 0"),
        Arguments.of("not a pr", "position 4: expected '('"),
        Arguments.of("x eq 01", "position 5: invalid number"),
        Arguments.of("x eq -", "position 5"),
        Arguments.of("x eq \"\\q\"", "position 6: invalid escape"),
        Arguments.of("x eq \"\\u12\"", "position 6"),
        Arguments.of("x eq tru", "position 5"),
        Arguments.of("()", "position 1"),
        Arguments.of("name.givenName[x pr]", "position 14"),
        Arguments.of("userName eq \"a\"and b pr", "position 15"));
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @MethodSource("malformed")
  void malformedFiltersAreInvalidFilterWithThePosition(String filter, String detail) {
    assertBadRequest(() -> FilterParser.parse(filter), "invalidFilter", detail);
  }

  @Test
  void deepParenthesesAreRejectedWithoutOverflowingTheStack() {
    String deep = "(".repeat(4000) + "a pr" + ")".repeat(4000);
    assertThatThrownBy(() -> FilterParser.parse(deep.substring(0, 4090)))
        .isInstanceOfSatisfying(ScimException.class,
            e -> assertThat(e.detail()).contains("nested deeper than 50"));
    String ok = "(".repeat(50) + "a pr" + ")".repeat(50);
    assertThat(FilterParser.parse(ok)).isEqualTo(new Filter.Present(new AttrPath(null, "a", null)));
  }

  @Test
  void overlongFiltersAreRejected() {
    assertThatThrownBy(() -> FilterParser.parse("a eq \"" + "x".repeat(5000) + "\""))
        .isInstanceOfSatisfying(ScimException.class,
            e -> assertThat(e.detail()).contains("longer than 4096"));
  }

  @Test
  void aSubstringLiteralOfMoreThan256CharactersIsRefused() {
    for (String op : new String[] {"co", "sw", "ew"}) {
      assertBadRequest(() -> FilterParser.parse("title " + op + " \"" + "x".repeat(257) + "\""), "invalidFilter",
          "position 9: " + op + " takes a string of at most 256 characters, not 257");
      assertBadRequest(() -> FilterParser.parsePath("emails[value " + op + " \"" + "x".repeat(257) + "\"]"),
          "invalidPath", "at most 256 characters");
      assertThat(FilterParser.parse("title " + op + " \"" + "x".repeat(256) + "\"")).isInstanceOf(Filter.Compare.class);
    }
    assertThat(FilterParser.parse("title eq \"" + "x".repeat(257) + "\"")).isInstanceOf(Filter.Compare.class);
  }

  @Test
  void aMalformedPathIsInvalidPath() {
    assertThatThrownBy(() -> FilterParser.parsePath("members[value eq \"x\""))
        .isInstanceOfSatisfying(ScimException.class,
            e -> assertThat(e.scimType()).isEqualTo("invalidPath"));
    assertThatThrownBy(() -> FilterParser.parsePath("members value"))
        .isInstanceOfSatisfying(ScimException.class,
            e -> assertThat(e.detail()).contains("position 8: unexpected 'v'"));
  }

  private static com.fasterxml.jackson.databind.JsonNode value(String filter) {
    return ((Filter.Compare) FilterParser.parse(filter)).value();
  }

  /** Prefix notation that makes precedence visible. */
  static String show(Filter f) {
    if (f instanceof Filter.And a) {
      return "(and " + show(a.left()) + ", " + show(a.right()) + ")";
    }
    if (f instanceof Filter.Or o) {
      return "(or " + show(o.left()) + ", " + show(o.right()) + ")";
    }
    if (f instanceof Filter.Not n) {
      return "(not " + show(n.filter()) + ")";
    }
    if (f instanceof Filter.Present p) {
      return p.path() + " pr";
    }
    if (f instanceof Filter.ValuePath v) {
      return v.path() + "[" + show(v.filter()) + "]";
    }
    Filter.Compare c = (Filter.Compare) f;
    return c.path() + " " + c.op().wire() + " " + c.value();
  }
}
