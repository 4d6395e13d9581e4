package com.fulcrumscim.scim.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.ResourceSchema;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random and mutated filters: the parser and evaluator answer with a 400 or a result, nothing else. */
class FilterFuzzTest {
  static final List<String> TOKENS = List.of(
      "userName", "USERNAME", "emails", "emails.value", "name.givenName", "id", "externalId",
      "displayName", "active", "meta.created", "members", "members.value", "roles", "title",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
      "urn:ietf:params:scim:schemas:core:2.0:User:userName", "urn:x:y:role", "$ref", "a.b.c",
      "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr", "and", "or", "not", "AND",
      "(", ")", "[", "]", ".", "\"", "\"x\"", "\"\\u00e9\"", "\"\\\"", "\\", "true", "False",
      "null", "12", "-1.5e3", "01", "1e99999", "\"2026-01-01T00:00:00Z\"", " ", "  ", "\t", ":");
  static final List<String> VALID = List.of(
      "userName eq \"a@b\"",
      "emails[type eq \"work\" and primary eq true]",
      "emails[type eq \"work\"].value eq \"x@y\"",
      "(title pr or userType eq \"Intern\") and not (active eq false)",
      "meta.lastModified gt \"2011-05-13T04:42:34Z\"",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq \"7\"",
      "members[value eq \"u1\"]");

  @Test
  void randomTokenSequencesOnlyEverFailWithA400() {
    for (long seed = 1; seed <= 20; seed++) {
      Random random = new Random(seed);
      for (int i = 0; i < 500; i++) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + random.nextInt(12);
        for (int t = 0; t < n; t++) {
          sb.append(TOKENS.get(random.nextInt(TOKENS.size())));
          if (random.nextInt(3) > 0) {
            sb.append(' ');
          }
        }
        exercise(sb.toString(), seed);
      }
    }
  }

  @Test
  void mutatedValidFiltersOnlyEverFailWithA400() {
    for (long seed = 1; seed <= 20; seed++) {
      Random random = new Random(seed);
      for (int i = 0; i < 500; i++) {
        exercise(mutate(VALID.get(random.nextInt(VALID.size())), random), seed);
      }
    }
  }

  @Test
  void deepAndLongInputsOnlyEverFailWithA400() {
    Random random = new Random(7);
    for (int i = 0; i < 50; i++) {
      int depth = random.nextInt(3000);
      String open = random.nextBoolean() ? "(" : "not (";
      exercise(open.repeat(depth) + "a pr" + ")".repeat(random.nextInt(depth + 1)), 7);
      exercise("a pr and ".repeat(random.nextInt(600)) + "a pr", 7);
      exercise("emails[" .repeat(random.nextInt(100)) + "a pr", 7);
    }
  }

  static String mutate(String s, Random random) {
    StringBuilder sb = new StringBuilder(s);
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && sb.length() > 0; e++) {
      int at = random.nextInt(sb.length());
      switch (random.nextInt(5)) {
        case 0 -> sb.deleteCharAt(at);
        case 1 -> sb.insert(at, (char) (32 + random.nextInt(95)));
        case 2 -> sb.setCharAt(at, (char) random.nextInt(0x3000));
        case 3 -> sb.insert(at, TOKENS.get(random.nextInt(TOKENS.size())));
        default -> sb.setLength(at);
      }
    }
    return sb.toString();
  }

  private static void exercise(String filter, long seed) {
    try {
      Filter f = FilterParser.parse(filter);
      for (ResourceSchema schema : ResourceSchema.values()) {
        try {
          IndexedLookup.of(f, schema);
          FilterEvaluator.matches(f, FilterEvaluatorTest.USER, schema);
        } catch (ScimException e) {
          assertThat(e.status()).isEqualTo(400);
        }
      }
      FilterParser.parsePath(filter);
    } catch (ScimException e) {
      assertThat(e.status()).as(filter).isEqualTo(400);
    } catch (RuntimeException | StackOverflowError e) {
      fail("seed " + seed + ": " + e + " for filter [" + filter + "]", e);
    }
  }
}
