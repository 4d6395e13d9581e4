package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimHttp.q;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PagingTest {
  static final int USERS = 25;
  @TempDir Path dir;
  ScimTestServer server;
  ScimHttp http;
  final List<String> created = new ArrayList<>();

  @BeforeEach
  void start() {
    server = ScimTestServer.start(store(), "scim:\n  max_page_size: 10\n", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    http = server.http();
    for (int i = 0; i < USERS; i++) {
      // names in reverse creation order, so name order and creation order differ
      created.add(http.post("/Users", user(String.format("u%02d@example.com", USERS - i))).json().path("id").asText());
    }
  }

  /** The store under test; {@link PagingOnPostgresTest} gives a PostgreSQL one. */
  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  List<String> ids(JsonNode list) {
    List<String> ids = new ArrayList<>();
    list.path("Resources").forEach(r -> ids.add(r.path("id").asText()));
    return ids;
  }

  List<String> walk(String query, int count) {
    List<String> seen = new ArrayList<>();
    for (int start = 1; ; start += count) {
      JsonNode page = http.get("/Users?startIndex=" + start + "&count=" + count + query).json();
      assertThat(page.path("totalResults").asInt()).isEqualTo(USERS);
      if (page.path("Resources").isEmpty()) {
        return seen;
      }
      seen.addAll(ids(page));
    }
  }

  @Test
  void walkingPagesVisitsEveryUserOnceInCreationOrder() {
    assertThat(walk("", 7)).containsExactlyElementsOf(created);
  }

  @Test
  void theListNumbersAreJsonIntegers() {
    JsonNode page = http.get("/Users?startIndex=3&count=2").json();
    assertThat(page.path("totalResults").isInt()).isTrue();
    assertThat(page.path("startIndex").isIntegralNumber()).isTrue();
    assertThat(page.path("itemsPerPage").isInt()).isTrue();
    assertThat(page.path("startIndex").asInt()).isEqualTo(3);
    assertThat(ids(page)).containsExactly(created.get(2), created.get(3));
  }

  @Test
  void aDeepPageReachedDirectlyEqualsTheWalkedOne() {
    List<String> direct = ids(http.get("/Users?startIndex=22&count=3").json());
    assertThat(direct).containsExactlyElementsOf(created.subList(21, 24));
  }

  @Test
  void aPageAfterADeleteShiftsLikeTheRfcSays() {
    walk("", 5);
    http.delete("/Users/" + created.get(0));
    List<String> page = ids(http.get("/Users?startIndex=6&count=5").json());
    assertThat(page).containsExactlyElementsOf(created.subList(6, 11));
  }

  @Test
  void countIsCappedByMaxPageSize() {
    JsonNode page = http.get("/Users?count=500").json();
    assertThat(page.path("itemsPerPage").asInt()).isEqualTo(10);
    assertThat(page.path("totalResults").asInt()).isEqualTo(USERS);
  }

  @Test
  void countZeroGivesTotalsOnlyAndStartIndexBelowOneMeansOne() {
    assertThat(http.get("/Users?count=0").json().path("Resources")).isEmpty();
    assertThat(ids(http.get("/Users?startIndex=-4&count=1").json())).containsExactly(created.get(0));
  }

  @Test
  void aPageBeyondTheEndIsEmpty() {
    JsonNode page = http.get("/Users?startIndex=26&count=10").json();
    assertThat(page.path("Resources").isArray()).isTrue();
    assertThat(page.path("Resources")).isEmpty();
  }

  @Test
  void sortByUserNameDescendingWalksStably() {
    List<String> names = new ArrayList<>();
    for (int start = 1; start <= USERS; start += 10) {
      http.get("/Users?sortBy=userName&sortOrder=descending&count=10&startIndex=" + start).json().path("Resources")
          .forEach(r -> names.add(r.path("userName").asText()));
    }
    assertThat(names).hasSize(USERS).isSortedAccordingTo(java.util.Comparator.reverseOrder());
  }

  @Test
  void sortByMetaCreatedIsCreationOrder() {
    assertThat(walk("&sortBy=meta.created", 10)).containsExactlyElementsOf(created);
  }

  @Test
  void aScanFilterPagesOverMatchesWithExactTotals() {
    JsonNode page = http.get("/Users?count=3&startIndex=2&filter=" + q("userName sw \"u1\"")).json();
    assertThat(page.path("totalResults").asInt()).isEqualTo(10);
    assertThat(page.path("itemsPerPage").asInt()).isEqualTo(3);
  }

  @Test
  void anUnknownSortAttributeIs400() {
    assertThat(http.get("/Users?sortBy=nickName").status()).isEqualTo(400);
  }

  /**
   * RFC 7644 §3.4.2.3: emails.value, name.familyName and displayName are not caseExact, so they sort
   * case-insensitively; a user without an email sorts last ascending and first descending.
   */
  @Test
  void stringsThatAreNotCaseExactSortIgnoringCaseAndAMissingValueLastAscending() {
    String bob = http.post("/Users", user("case-1", "Bob@corp.example", "Bob", "beta", true)).json().path("id").asText();
    String alice = http.post("/Users", user("case-2", "alice@corp.example", "alice", "alpha", true)).json().path("id").asText();
    String carol = http.post("/Users", user("case-3", "Carol@corp.example", "Carol", "Gamma", true)).json().path("id").asText();
    String none = http.post("/Users", """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"case-4","active":false}
        """).json().path("id").asText();
    String filter = "&filter=" + q("userName sw \"case-\"");

    assertThat(ids(http.get("/Users?sortBy=emails.value" + filter).json())).containsExactly(alice, bob, carol, none);
    assertThat(ids(http.get("/Users?sortBy=emails.value&sortOrder=descending" + filter).json()))
        .containsExactly(none, carol, bob, alice);
    assertThat(ids(http.get("/Users?sortBy=name.familyName" + filter).json())).containsExactly(alice, bob, carol, none);
    assertThat(ids(http.get("/Users?sortBy=displayName" + filter).json())).containsExactly(alice, bob, carol, none);
  }

  /** A schema-qualified sortBy names the same attribute as the plain one (RFC 7644 §3.10). */
  @Test
  void aSchemaQualifiedSortByIsThePlainOne() {
    assertThat(walk("&sortBy=urn:ietf:params:scim:schemas:core:2.0:User:userName", 10))
        .containsExactlyElementsOf(walk("&sortBy=userName", 10))
        .isNotEqualTo(created);
  }

  /** Whatever it names (another schema's attribute, an unknown one), a sortBy the bridge cannot sort by is 400 naming those it can. */
  @Test
  void aSortByThatCannotBeSortedByIs400InvalidValueNamingTheSortableOnes() {
    for (String sortBy : List.of("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
        "urn:ietf:params:scim:schemas:core:2.0:Group:displayName", "urn:nobody", "name.", "emails", "nickName")) {
      ScimHttp.Response r = http.get("/Users?sortBy=" + q(sortBy));
      assertThat(r.status()).as(sortBy).isEqualTo(400);
      assertThat(r.json().path("scimType").asText()).isEqualTo("invalidValue");
      assertThat(r.json().path("detail").asText()).contains("sortable: id, externalId, userName, emails.value, displayName,"
          + " name.givenName, name.familyName, active, meta.created, meta.lastModified");
    }
  }
}
