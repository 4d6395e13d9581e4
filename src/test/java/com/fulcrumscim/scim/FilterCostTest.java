package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimHttp.q;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One request's filters cost a bounded amount of work, whatever the length of the strings they
 * compare: a {@code co} of a long literal over long values was charged as one evaluation, so a
 * PATCH of about 1 MB could cost a minute of CPU and a list filter seconds. Such a request is now
 * 400 tooMany (a substring literal of more than 256 characters, invalidFilter) and changes
 * nothing, while the filters Okta and Entra send cost what they did.
 */
class FilterCostTest {
  /** As long as a string may be, nearly: each test of one with a 256-character co literal costs 15,625 evaluations. */
  static final String LONG = "a".repeat(62_500);
  /** The worst literal for the JDK's search over LONG: it almost matches at every position. */
  static final String NEAR_MISS = "a".repeat(255) + "b";

  @TempDir Path dir;
  ScimTestServer server;
  ScimHttp http;
  /** Requests of the test that were meant to be stored, each one journal row. */
  int accepted;

  @BeforeEach
  void start() {
    server = ScimTestServer.start(dir);
    http = server.http();
  }

  @AfterEach
  void onlyWhatWasAcceptedIsJournaled() {
    server.close();
    try (Database db = Database.open(server.database())) {
      long journal = db.read(c -> {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM journal")) {
          rs.next();
          return rs.getLong(1);
        }
      });
      assertThat(journal).isEqualTo(accepted);
    }
  }

  String stored(Response r) {
    assertThat(r.status()).as(r.text()).isBetween(200, 201);
    accepted++;
    return r.json().path("id").asText();
  }

  static void assertRefused(Response r, String scimType, String detail) {
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.json().path("scimType").asText()).isEqualTo(scimType);
    assertThat(r.json().path("detail").asText()).contains(detail);
  }

  /** A user with {@code count} phone numbers whose display is {@code display} and a number. */
  String userWithPhones(String userName, int count, String display) {
    StringBuilder phones = new StringBuilder();
    for (int i = 0; i < count; i++) {
      phones.append(i == 0 ? "" : ",").append("{\"value\":\"+1555000").append(i).append("\",\"display\":\"")
          .append(display).append(i).append("\"}");
    }
    return stored(http.post("/Users", user(userName).replace("\"locale\":\"en-US\"",
        "\"phoneNumbers\":[" + phones + "]")));
  }

  /** The operation Okta sends to take a value out, here for phone numbers matching {@code filter}. */
  static String removal(String filter) {
    return "{\"op\":\"remove\",\"path\":\"phoneNumbers[" + filter.replace("\"", "\\\"") + "]\"}";
  }

  @Test
  void aPatchWhoseFilterComparesLongStringsPastTheBudgetIsTooManyAndChangesNothing() {
    String id = userWithPhones("long@example.com", 15, LONG);
    // 15 values x 15,625 = 234,375 evaluations per operation: the fifth passes 1,000,000
    Response r = http.patch("/Users/" + id,
        patch(Collections.nCopies(5, removal("display co \"" + NEAR_MISS + "\"")).toArray(String[]::new)));
    assertRefused(r, "tooMany", "1000000 filter evaluations");
    assertThat(http.get("/Users/" + id).header("ETag")).isEqualTo("W/\"1\"");
  }

  @Test
  void theSamePatchOverShortStringsIsApplied() {
    String id = userWithPhones("short@example.com", 15, "Desk ");
    List<String> ops = new ArrayList<>(Collections.nCopies(5, removal("display co \"" + NEAR_MISS + "\"")));
    ops.add(removal("display eq \"desk 3\""));
    Response r = http.patch("/Users/" + id, patch(ops.toArray(String[]::new)));
    stored(r);
    assertThat(r.json().path("phoneNumbers")).hasSize(14);
  }

  @Test
  void aSubstringFilterWithALiteralOfMoreThan256CharactersIs400() {
    String id = userWithPhones("lit@example.com", 1, "Desk ");
    assertRefused(http.get("/Users?filter=" + q("title co \"" + "x".repeat(257) + "\"")), "invalidFilter",
        "at most 256 characters");
    assertRefused(http.patch("/Users/" + id, patch(removal("display sw \"" + "x".repeat(257) + "\""))), "invalidPath",
        "at most 256 characters");
  }

  @Test
  void aListFilterThatComparesLongStringsPastTheBudgetIsTooMany() {
    for (int i = 0; i < 5; i++) {
      stored(http.post("/Users", user("title" + i + "@example.com").replace("\"locale\":\"en-US\"",
          "\"title\":\"" + LONG + "\"")));
    }
    // 15 terms x 15,625 = 234,375 evaluations per user, beyond the budget at the fifth
    String filter = String.join(" or ", Collections.nCopies(15, "title co \"" + NEAR_MISS + "\""));
    Response r = http.get("/Users?filter=" + q(filter));
    assertRefused(r, "tooMany", "this filter costs more than one request may");
  }
}
