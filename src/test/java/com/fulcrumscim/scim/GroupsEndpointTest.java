package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimHttp.q;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GroupsEndpointTest {
  @RegisterExtension static final ScimTestServer.PerClass server = new ScimTestServer.PerClass();
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  static ScimHttp http;

  @BeforeAll
  static void start() {
    http = server.http();
  }

  static String userId() {
    Response r = http.post("/Users", user("m-" + UUID.randomUUID() + "@example.com"));
    assertThat(r.status()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  static String name(String prefix) {
    return prefix + " " + UUID.randomUUID().toString().substring(0, 8);
  }

  static JsonNode createGroup(String displayName, String... members) {
    Response r = http.post("/Groups", group(displayName, members));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  static List<String> memberIds(JsonNode group) {
    List<String> ids = new ArrayList<>();
    group.path("members").forEach(m -> ids.add(m.path("value").asText()));
    return ids;
  }

  /** RFC 7644 3.9: members.value is each member's value alone, not its $ref and display too (review-s16b F3). */
  @Test
  void attributesMembersValueReturnsEachMembersValueOnly() {
    String alice = userId();
    JsonNode g = createGroup(name("Values"), alice);

    JsonNode got = http.get("/Groups/" + g.path("id").asText() + "?attributes=members.value").json();

    assertThat(got.path("members").toString()).isEqualTo("[{\"value\":\"" + alice + "\"}]");
  }

  @Test
  void aGroupListsItsMembersAndTheUsersShowTheGroup() {
    String alice = userId();
    String bob = userId();
    JsonNode g = createGroup(name("Crew"), alice, bob);
    assertThat(memberIds(g)).containsExactlyInAnyOrder(alice, bob);
    assertThat(g.path("meta").path("resourceType").asText()).isEqualTo("Group");
    JsonNode aliceNow = http.get("/Users/" + alice).json();
    assertThat(aliceNow.path("groups").get(0).path("value").asText()).isEqualTo(g.path("id").asText());
    assertThat(aliceNow.path("groups").get(0).path("display").asText()).isEqualTo(g.path("displayName").asText());
  }

  @Test
  void anEmptyGroupStillListsMembers() {
    JsonNode g = http.get("/Groups/" + createGroup(name("Empty")).path("id").asText()).json();
    assertThat(g.path("members").isArray()).isTrue();
  }

  @Test
  void aMemberThatIsNoUserIsLeftOutOfANewGroupWithAWarningNamingIt() {
    String alice = userId();
    Response r = http.post("/Groups", group(name("Ghosts"), alice, "no-such-user"));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(memberIds(r.json())).containsExactly(alice);
    assertThat(memberIds(http.get("/Groups/" + r.json().path("id").asText()).json())).containsExactly(alice);
    assertThat(warningsNaming("no-such-user")).hasSize(1);
  }

  /** Twenty ids of 64 KB each would make one request's warning a line of about a megabyte. */
  @Test
  void aLongMemberIdThatIsNoUserIsCutInTheWarning() {
    String longId = "ghost-" + "x".repeat(60_000);
    assertThat(http.post("/Groups", group(name("Ghosts"), longId)).status()).isEqualTo(201);
    assertThat(warningsNaming("ghost-")).singleElement().satisfies(w -> assertThat(w).hasSizeLessThan(500));
  }

  @Test
  void oktasRemoveAndAddInOnePatchRemovesTheMemberWhenAnAddedIdIsNoUser() {
    String alice = userId();
    String bob = userId();
    String id = createGroup(name("Push"), alice).path("id").asText();
    Response r = http.patch("/Groups/" + id, patch(
        "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + alice + "\\\"]\"}",
        "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"gone-user\"},{\"value\":\"" + bob + "\"}]}"));
    assertThat(r.status()).as(r.text()).isIn(200, 204);
    assertThat(memberIds(http.get("/Groups/" + id).json())).containsExactly(bob);
    assertThat(warningsNaming("gone-user")).singleElement().satisfies(m -> assertThat(m).contains(id));
  }

  @Test
  void aPutWhoseMemberListNamesAnIdThatIsNoUserKeepsTheRestOfTheList() {
    String alice = userId();
    String bob = userId();
    String carol = userId();
    JsonNode g = createGroup(name("Aiw"), alice, bob);
    String id = g.path("id").asText();
    Response r = http.put("/Groups/" + id, group(g.path("displayName").asText(), bob, "stale-id", carol));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(memberIds(r.json())).containsExactlyInAnyOrder(bob, carol);
    assertThat(warningsNaming("stale-id")).hasSize(1);
  }

  @Test
  void aPatchThatOnlyAddsIdsThatAreNoUserChangesNothing() {
    String alice = userId();
    String id = createGroup(name("Still"), alice).path("id").asText();
    String etag = http.get("/Groups/" + id).header("ETag");
    Response r = http.patch("/Groups/" + id, patch(
        "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"never-a-user\"}]}"));
    assertThat(r.status()).as(r.text()).isIn(200, 204);
    Response now = http.get("/Groups/" + id);
    assertThat(now.header("ETag")).isEqualTo(etag);
    assertThat(memberIds(now.json())).containsExactly(alice);
  }

  List<String> warningsNaming(String id) {
    return logs.events().stream().filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(id)).toList();
  }

  @Test
  void aDuplicateDisplayNameIs409EvenInAnotherCase() {
    String displayName = name("Dup");
    createGroup(displayName);
    Response r = http.post("/Groups", group(displayName.toUpperCase()));
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.json().path("scimType").asText()).isEqualTo("uniqueness");
  }

  @Test
  void excludedAttributesMembersLeavesMembersOutOfGetAndList() {
    String displayName = name("Quiet");
    JsonNode g = createGroup(displayName, userId());
    JsonNode one = http.get("/Groups/" + g.path("id").asText() + "?excludedAttributes=members").json();
    assertThat(one.has("members")).isFalse();
    assertThat(one.path("displayName").asText()).isEqualTo(displayName);
    JsonNode list = http.get("/Groups?excludedAttributes=members&filter="
        + q("displayName eq \"" + displayName.toLowerCase() + "\"")).json();
    assertThat(list.path("totalResults").asInt()).isEqualTo(1);
    assertThat(list.path("Resources").get(0).has("members")).isFalse();
  }

  @Test
  void aGroupFoundByNameWithMembersExcludedHasTheVersionOfItsReadByIdWithMembersExcluded() {
    String displayName = name("Versioned");
    String id = createGroup(displayName, userId()).path("id").asText();
    Response one = http.get("/Groups/" + id + "?excludedAttributes=members");
    JsonNode found = http.get("/Groups?excludedAttributes=members&filter="
        + q("displayName eq \"" + displayName + "\"")).json().path("Resources").get(0);
    assertThat(found.path("meta").path("version").asText())
        .isEqualTo(one.json().path("meta").path("version").asText())
        .isEqualTo(one.header("ETag"))
        .isEqualTo("W/\"1\"");
  }

  @Test
  void aFilterOnMembersFindsTheGroupWithMembersExcluded() {
    String member = userId();
    String id = createGroup(name("Tested"), member, userId()).path("id").asText();
    JsonNode list = http.get("/Groups?excludedAttributes=members&filter="
        + q("members[value eq \"" + member + "\"]")).json();
    assertThat(list.path("totalResults").asInt()).isEqualTo(1);
    JsonNode found = list.path("Resources").get(0);
    assertThat(found.path("id").asText()).isEqualTo(id);
    assertThat(found.has("members")).isFalse();
    assertThat(found.path("meta").path("version").asText()).isEqualTo("W/\"1\"");
  }

  @Test
  void aFilterOnMembersAndVersionFindsTheGroupByTheVersionItIsShownWithWithMembersExcluded() {
    String member = userId();
    String id = createGroup(name("Tagged"), member).path("id").asText();
    JsonNode list = http.get("/Groups?excludedAttributes=members&filter="
        + q("members[value eq \"" + member + "\"] and meta.version eq \"W/\\\"1\\\"\"")).json();
    assertThat(list.path("totalResults").asInt()).isEqualTo(1);
    JsonNode found = list.path("Resources").get(0);
    assertThat(found.path("id").asText()).isEqualTo(id);
    assertThat(found.path("meta").path("version").asText()).isEqualTo("W/\"1\"");
  }

  @Test
  void excludingMembersDisplayKeepsEachMembersValueAndRefInGetAndList() {
    String member = userId();
    String id = createGroup(name("Undisplayed"), member).path("id").asText();
    assertOnlyDisplayExcluded("/Groups", id, "members", "/Users/" + member);
  }

  @Test
  void excludingGroupsDisplayKeepsEachOfAUsersGroupsValueAndRefInGetAndList() {
    String member = userId();
    String group = createGroup(name("Unnamed"), member).path("id").asText();
    assertOnlyDisplayExcluded("/Users", member, "groups", "/Groups/" + group);
  }

  /**
   * With {@code excludedAttributes=<attribute>.display}, the newest resource, read alone and as
   * the first of an unfiltered list (where loading memberships is decided), still carries its one
   * reference with value and $ref.
   */
  static void assertOnlyDisplayExcluded(String endpoint, String id, String attribute, String reference) {
    String excluded = "?excludedAttributes=" + attribute + ".display";
    JsonNode listed = http.get(endpoint + excluded + "&sortOrder=descending&count=1").json().path("Resources").get(0);
    assertThat(listed.path("id").asText()).isEqualTo(id);
    for (JsonNode resource : List.of(http.get(endpoint + "/" + id + excluded).json(), listed)) {
      assertThat(resource.path(attribute)).hasSize(1);
      JsonNode ref = resource.path(attribute).get(0);
      assertThat(reference).endsWith("/" + ref.path("value").asText());
      assertThat(ref.path("$ref").asText()).endsWith(reference);
      assertThat(ref.has("display")).isFalse();
    }
  }

  @Test
  void deletingAUserTakesItOutOfItsGroupsAndChangesTheGroupVersion() {
    String alice = userId();
    String bob = userId();
    JsonNode g = createGroup(name("Leavers"), alice, bob);
    assertThat(http.delete("/Users/" + alice).status()).isEqualTo(204);
    JsonNode after = http.get("/Groups/" + g.path("id").asText()).json();
    assertThat(memberIds(after)).containsExactly(bob);
    assertThat(after.path("meta").path("version").asText()).startsWith("W/\"2.");
  }

  @Test
  void putReplacesDisplayNameAndMembers() {
    String alice = userId();
    String bob = userId();
    JsonNode g = createGroup(name("Put"), alice);
    String renamed = name("Renamed");
    Response r = http.put("/Groups/" + g.path("id").asText(), group(renamed, bob));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("displayName").asText()).isEqualTo(renamed);
    assertThat(memberIds(r.json())).containsExactly(bob);
  }

  @Test
  void patchAddAndRemoveMembersAnswers204() {
    String alice = userId();
    String bob = userId();
    JsonNode g = createGroup(name("Patch"), alice);
    String path = "/Groups/" + g.path("id").asText();
    Response r = http.patch(path, patch(
        "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + alice + "\\\"]\"}",
        "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + bob + "\",\"display\":\"bob\"}]}"));
    assertThat(r.status()).as(r.text()).isEqualTo(204);
    assertThat(r.header("ETag")).startsWith("W/\"2.");
    assertThat(memberIds(http.get(path).json())).containsExactly(bob);
  }

  @Test
  void replaceMembersWithAnEmptyListEmptiesTheGroup() {
    JsonNode g = createGroup(name("Emptied"), userId(), userId());
    String path = "/Groups/" + g.path("id").asText();
    assertThat(http.patch(path, patch("{\"op\":\"replace\",\"path\":\"members\",\"value\":[]}")).status()).isEqualTo(204);
    assertThat(memberIds(http.get(path).json())).isEmpty();
  }

  @Test
  void deleteIs204ThenTheGroupIs404AndItsMembersRemainUsers() {
    String alice = userId();
    JsonNode g = createGroup(name("Doomed"), alice);
    assertThat(http.delete("/Groups/" + g.path("id").asText()).status()).isEqualTo(204);
    assertThat(http.get("/Groups/" + g.path("id").asText()).status()).isEqualTo(404);
    JsonNode aliceNow = http.get("/Users/" + alice).json();
    assertThat(aliceNow.has("groups")).isFalse();
  }
}
