package com.fulcrumscim.fulcrum;

import static com.fulcrumscim.fulcrum.ClientFixture.TOKEN;
import static com.fulcrumscim.fulcrum.ClientFixture.body;
import static com.fulcrumscim.fulcrum.ClientFixture.json;
import static com.fulcrumscim.fulcrum.ClientFixture.pathAndQuery;
import static com.fulcrumscim.fulcrum.ClientFixture.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the client puts on the wire for every call, and what it accepts back. */
class HttpFulcrumClientWireTest extends MockFulcrumTest {
  static final String ALICE = """
      {"id":"m-1","user_id":"u-1","email":"alice@example.com","first_name":"Alice","last_name":"Liddell",
       "role_id":"r-std","role_name":"Standard User","status":"active","managed":false,
       "gravatar_image_url":"https://x/y","image_small":"https://x/s","some_new_field":{"nested":[1,2]}}""";

  private RecordedRequest take() throws InterruptedException {
    return server.takeRequest();
  }

  private static String page(String key, String items, int current, int total) {
    return "{\"" + key + "\":[" + items + "],\"current_page\":" + current + ",\"total_pages\":" + total
        + ",\"total_count\":99,\"per_page\":20000}";
  }

  @Test
  void everyCallCarriesTheTokenAndAcceptsJsonAndAGetSendsNoContentType() throws Exception {
    server.enqueue(json(200, "{\"user\":{\"id\":\"u-9\",\"email\":\"owner@example.com\",\"first_name\":\"O\",\"last_name\":\"W\"}}"));
    client.tokenOwner();
    RecordedRequest request = take();
    assertThat(request.getHeaders().get("X-ApiToken")).isEqualTo(TOKEN);
    assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
    assertThat(request.getHeaders().get("Content-Type")).isNull();
  }

  @Test
  void tokenOwnerIsGetUsersJson() throws Exception {
    server.enqueue(json(200, """
        {"user":{"id":"u-9","email":"owner@example.com","first_name":"Olive","last_name":"Owner",
         "current_organization":{"id":"o-1","name":"Acme"},"contexts":[]}}"""));
    assertThat(client.tokenOwner()).isEqualTo(new FulcrumUser("u-9", "owner@example.com", "Olive", "Owner",
        new FulcrumOrganization("o-1", "Acme")));
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(pathAndQuery(request)).isEqualTo("/api/v2/users.json");
  }

  /** Tolerated shapes: no current_organization, or one without an id, names no organization (the node then warns, URL-only). */
  @Test
  void aTokenOwnerWithoutAnOrganizationIdNamesNoOrganization() throws Exception {
    server.enqueue(json(200, "{\"user\":{\"id\":\"u-9\",\"email\":\"owner@example.com\"}}"));
    server.enqueue(json(200, "{\"user\":{\"id\":\"u-9\",\"email\":\"owner@example.com\","
        + "\"current_organization\":{\"id\":\" \",\"name\":\"Acme\"}}}"));
    assertThat(client.tokenOwner().organization()).isNull();
    assertThat(client.tokenOwner().organization()).isNull();
  }

  @Test
  void membersAsksForManagedInfoAndTheLargestPage() throws Exception {
    server.enqueue(json(200, page("memberships", ALICE, 1, 1)));
    List<FulcrumMember> members = client.members();
    assertThat(members).containsExactly(new FulcrumMember(
        "m-1", "u-1", "alice@example.com", "Alice", "Liddell", "r-std", "Standard User", false, "active"));
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(pathAndQuery(request)).isEqualTo("/api/v2/memberships.json?managed_info=1&page=1&per_page=20000");
  }

  @Test
  void membersWalksEveryPageInOrder() throws Exception {
    server.enqueue(json(200, page("memberships", "{\"id\":\"m-1\"},{\"id\":\"m-2\"}", 1, 3)));
    server.enqueue(json(200, page("memberships", "{\"id\":\"m-3\"}", 2, 3)));
    server.enqueue(json(200, page("memberships", "{\"id\":\"m-4\"}", 3, 3)));
    assertThat(client.members()).extracting(FulcrumMember::id).containsExactly("m-1", "m-2", "m-3", "m-4");
    assertThat(take().getUrl().queryParameter("page")).isEqualTo("1");
    assertThat(take().getUrl().queryParameter("page")).isEqualTo("2");
    assertThat(take().getUrl().queryParameter("page")).isEqualTo("3");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void aListWhoseTotalCountMovesBetweenPagesIsReadOnceMore() {
    // m-1 leaves after page 1 is read: m-3 moves onto page 1 and the first walk never sees it
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-1\"},{\"id\":\"m-2\"}],\"current_page\":1,\"total_pages\":2,\"total_count\":4}"));
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-4\"}],\"current_page\":2,\"total_pages\":2,\"total_count\":3}"));
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-2\"},{\"id\":\"m-3\"}],\"current_page\":1,\"total_pages\":2,\"total_count\":3}"));
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-4\"}],\"current_page\":2,\"total_pages\":2,\"total_count\":3}"));
    assertThat(client.members()).extracting(FulcrumMember::id).containsExactly("m-2", "m-3", "m-4");
    assertThat(server.getRequestCount()).isEqualTo(4);
  }

  @Test
  void aMemberListInOneAnswerIsWhole() {
    server.enqueue(json(200, page("memberships", "{\"id\":\"m-1\"},{\"id\":\"m-2\"}", 1, 1)));
    MemberList read = client.memberList();
    assertThat(read.members()).extracting(FulcrumMember::id).containsExactly("m-1", "m-2");
    assertThat(read.whole()).isTrue();
  }

  /** Its count held (a member left as one joined) or absent, a walk over pages cannot tell that it missed one. */
  @Test
  void aMemberListOverSeveralPagesIsNotWholeWhateverItsCountSays() {
    server.enqueue(json(200, page("memberships", "{\"id\":\"m-1\"}", 1, 2)));
    server.enqueue(json(200, page("memberships", "{\"id\":\"m-2\"}", 2, 2)));
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-1\"}],\"current_page\":1,\"total_pages\":2}"));
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-2\"}],\"current_page\":2,\"total_pages\":2}"));
    assertThat(client.memberList().whole()).as("total_count held").isFalse();
    assertThat(client.memberList().whole()).as("no total_count").isFalse();
    assertThat(server.getRequestCount()).as("no extra call of its own").isEqualTo(4);
  }

  @Test
  void aListWithoutTotalCountIsRead() {
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-1\"}],\"current_page\":1,\"total_pages\":1,\"per_page\":20000}"));
    assertThat(client.members()).extracting(FulcrumMember::id).containsExactly("m-1");
  }

  @Test
  void aListStopsAtAnEmptyPageEvenWhenTotalPagesSaysMore() {
    server.enqueue(json(200, page("memberships", "{\"id\":\"m-1\"}", 1, 5)));
    server.enqueue(json(200, page("memberships", "", 2, 5)));
    assertThat(client.members()).hasSize(1);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aServerThatIgnoresPageHasItsFirstPageReadOnce() {
    String pageOneAgain = page("memberships", "{\"id\":\"m-1\"},{\"id\":\"m-2\"}", 1, 2);
    server.enqueue(json(200, pageOneAgain));
    server.enqueue(json(200, pageOneAgain));
    assertThat(client.members()).extracting(FulcrumMember::id).containsExactly("m-1", "m-2");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aListNeverReturnsAnIdTwiceEvenWithoutCurrentPage() {
    String pageOneAgain = "{\"memberships\":[{\"id\":\"m-1\"},{\"id\":\"m-2\"}],\"total_pages\":2}";
    server.enqueue(json(200, pageOneAgain));
    server.enqueue(json(200, pageOneAgain));
    assertThat(client.members()).extracting(FulcrumMember::id).containsExactly("m-1", "m-2");
  }

  @Test
  void aListWithoutPagingKeysIsReadToAnEmptyPage() {
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-1\"}]}"));
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-2\"}]}"));
    server.enqueue(json(200, "{\"memberships\":[]}"));
    assertThat(client.members()).extracting(FulcrumMember::id).containsExactly("m-1", "m-2");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void aListWhoseAnswerCapsPerPageIsReadPastItsFirstFullPage() {
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-1\"},{\"id\":\"m-2\"}],\"per_page\":2}"));
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-3\"}],\"per_page\":2}"));
    assertThat(client.memberList().members()).extracting(FulcrumMember::id).containsExactly("m-1", "m-2", "m-3");
    assertThat(server.getRequestCount()).as("its short page, against its own per_page, is the last").isEqualTo(2);
  }

  @Test
  void aListWithoutPagingKeysFromAServerIgnoringPageEndsAtTheRepeatedPage() {
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-1\"}]}"));
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-1\"}]}"));
    assertThat(client.members()).extracting(FulcrumMember::id).containsExactly("m-1");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void numericIdsAndUnknownFieldsAreTolerated() {
    server.enqueue(json(200, page("memberships",
        "{\"id\":12345,\"role_id\":7,\"email\":\"n@example.com\",\"brand_new\":true,\"user\":\"N N\"}", 1, 1)));
    FulcrumMember member = client.members().get(0);
    assertThat(member.id()).isEqualTo("12345");
    assertThat(member.roleId()).isEqualTo("7");
  }

  @Test
  void anUnexpectedListKeyFallsBackToTheFirstArrayValuedRootKey() {
    server.enqueue(json(200, "{\"meta\":{\"x\":1},\"members\":[{\"id\":\"m-1\"}],\"total_pages\":1,\"current_page\":1}"));
    assertThat(client.members()).extracting(FulcrumMember::id).containsExactly("m-1");
  }

  @Test
  void memberIsGetByIdWithManagedInfo() throws Exception {
    server.enqueue(json(200, "{\"membership\":" + ALICE + "}"));
    assertThat(client.member("m-1")).map(FulcrumMember::email).contains("alice@example.com");
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(pathAndQuery(request)).isEqualTo("/api/v2/memberships/m-1.json?managed_info=1");
  }

  @Test
  void anUnknownMemberIsEmpty() {
    server.enqueue(json(404, "{}"));
    assertThat(client.member("nope")).isEmpty();
  }

  @Test
  void aGoneMemberIsEmpty() {
    server.enqueue(json(410, "{}"));
    assertThat(client.member("m-gone")).isEmpty();
  }

  @Test
  void idsArePathEncoded() throws Exception {
    server.enqueue(json(404, ""));
    client.member("a b/c");
    assertThat(take().getUrl().encodedPath()).isEqualTo("/api/v2/memberships/a%20b%2Fc.json");
  }

  @Test
  void createMemberPostsTheMembershipWithJsonContentType() throws Exception {
    server.enqueue(json(201, "{\"membership\":" + ALICE + "}"));
    FulcrumMember created = client.createMember(new MemberFields("alice@example.com", "Alice", "Liddell", "r-std"));
    assertThat(created.id()).isEqualTo("m-1");
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(pathAndQuery(request)).isEqualTo("/api/v2/memberships.json");
    assertThat(request.getHeaders().get("Content-Type")).isEqualTo("application/json");
    assertThat(body(request)).isEqualTo(
        "{\"membership\":{\"email\":\"alice@example.com\",\"first_name\":\"Alice\",\"last_name\":\"Liddell\",\"role_id\":\"r-std\"}}");
  }

  @Test
  void createMemberLeavesOutFieldsItWasNotGiven() throws Exception {
    server.enqueue(json(200, "{\"membership\":" + ALICE + "}"));
    client.createMember(new MemberFields("alice@example.com", null, null, null));
    assertThat(body(take())).isEqualTo("{\"membership\":{\"email\":\"alice@example.com\"}}");
  }

  @Test
  void aCreateAnsweredWithoutABodyFindsTheMemberWithOneListCall() throws Exception {
    server.enqueue(status(204));
    server.enqueue(json(200, page("memberships", "{\"id\":\"m-0\",\"email\":\"bob@example.com\"}," + ALICE, 1, 1)));
    FulcrumMember created = client.createMember(new MemberFields("ALICE@example.com", "Alice", null, null));
    assertThat(created.id()).isEqualTo("m-1");
    assertThat(take().getMethod()).isEqualTo("POST");
    assertThat(pathAndQuery(take())).isEqualTo("/api/v2/memberships.json?managed_info=1&page=1&per_page=20000");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  /**
   * Another person listed first whose address Java's equalsIgnoreCase, but not Fulcrum nor the
   * member list, takes for the new one's (dotless ı, long ſ, dotted İ): linking the new hire to that
   * member would remove the wrong person at their leave and leave the hire's own member in place.
   */
  @ParameterizedTest
  @CsvSource({"ıvan@example.com, ivan@example.com", "ſam@example.com, sam@example.com", "İVAN@example.com, ivan@example.com"})
  void aCreateAnsweredWithoutABodyIsNotTakenForAnotherPersonsMemberWhoseAddressFoldsAlike(String other, String wanted) {
    server.enqueue(status(204));
    server.enqueue(json(200, page("memberships", "{\"id\":\"m-0\",\"email\":\"" + other + "\"},"
        + "{\"id\":\"m-1\",\"email\":\"" + wanted + "\"}", 1, 1)));
    assertThat(client.createMember(new MemberFields(wanted, "New", "Hire", null)).id()).isEqualTo("m-1");
  }

  @Test
  void aCreateAnsweredWithAMemberWithoutAnIdFindsTheMemberWithOneListCall() {
    server.enqueue(json(201, "{\"membership\":{\"email\":\"ada@corp.example\"}}"));
    server.enqueue(json(200, page("memberships", "{\"id\":\"m-5\",\"email\":\"ada@corp.example\"}", 1, 1)));
    assertThat(client.createMember(new MemberFields("ada@corp.example", "Ada", null, null)).id()).isEqualTo("m-5");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  /** Fulcrum made the member: whatever stops the client finding it leaves the create in doubt, never refused. */
  @Test
  void aCreatedMemberThatCannotBeFoundBecauseTheListIsRefusedIsInDoubtNotRefused() {
    server.enqueue(json(201, "{\"membership\":{\"email\":\"ada@corp.example\"}}"));
    server.enqueue(json(403, "{\"error\":\"Forbidden\"}"));
    assertThatThrownBy(() -> client.createMember(new MemberFields("ada@corp.example", "Ada", null, null)))
        .isInstanceOf(FulcrumException.Unavailable.class).hasMessageContaining("created");
  }

  @Test
  void aCreatedGroupThatCannotBeFoundBecauseTheListIsRefusedIsInDoubtNotRefused() {
    server.enqueue(status(201));
    server.enqueue(json(403, "{\"error\":\"Forbidden\"}"));
    assertThatThrownBy(() -> client.createGroup("Crew", null))
        .isInstanceOf(FulcrumException.Unavailable.class).hasMessageContaining("created");
  }

  @Test
  void updateMemberPutsOnlyTheFieldsThatChange() throws Exception {
    server.enqueue(json(200, "{\"membership\":{\"id\":\"m-1\",\"last_name\":\"Hargreaves\",\"role_id\":\"r-mgr\"}}"));
    client.updateMember("m-1", new MemberFields(null, null, "Hargreaves", "r-mgr"));
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("PUT");
    assertThat(pathAndQuery(request)).isEqualTo("/api/v2/memberships/m-1.json");
    assertThat(request.getHeaders().get("Content-Type")).isEqualTo("application/json");
    assertThat(body(request)).isEqualTo("{\"membership\":{\"last_name\":\"Hargreaves\",\"role_id\":\"r-mgr\"}}");
  }

  @Test
  void anUpdateWithNothingToChangeMakesNoCall() {
    client.updateMember("m-1", new MemberFields(null, null, null, null));
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void anUpdateAnsweredWithoutABodyIsDone() {
    server.enqueue(status(204));
    client.updateMember("m-1", new MemberFields("new@example.com", null, null, null));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void deleteMemberSendsTheReassignBodyWithAnExplicitNull() throws Exception {
    server.enqueue(status(204));
    client.deleteMember("m-1", null);
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("DELETE");
    assertThat(pathAndQuery(request)).isEqualTo("/api/v2/memberships/m-1.json");
    assertThat(request.getHeaders().get("Content-Type")).isEqualTo("application/json");
    assertThat(body(request)).isEqualTo("{\"membership\":{\"reassign_to_membership_id\":null}}");
  }

  @Test
  void deleteMemberCanReassignRecords() throws Exception {
    server.enqueue(json(200, "{}"));
    client.deleteMember("m-1", "m-keeper");
    assertThat(body(take())).isEqualTo("{\"membership\":{\"reassign_to_membership_id\":\"m-keeper\"}}");
  }

  @Test
  void fulcrums404ToAMemberDeleteIsAnsweredNotThrown() {
    server.enqueue(json(404, "{}"));
    assertThat(client.deleteMember("m-gone", null)).as("answered: the reconciler's read by id decides").isEqualTo(404);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void fulcrums410ToAMemberDeleteIsAnsweredNotThrown() {
    server.enqueue(json(410, "{}"));
    assertThat(client.deleteMember("m-gone", null)).as("answered: the reconciler's read by id decides").isEqualTo(404);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void rolesAreListed() throws Exception {
    server.enqueue(json(200, page("roles", """
        {"id":"r-own","name":"Owner","is_system":true,"is_default":false,"can_manage_members":true},
        {"id":"r-std","name":"Standard User","is_system":true,"is_default":true}""", 1, 1)));
    assertThat(client.roles()).containsExactly(
        new FulcrumRole("r-own", "Owner", true, false), new FulcrumRole("r-std", "Standard User", true, true));
    assertThat(pathAndQuery(take())).isEqualTo("/api/v2/roles.json?page=1&per_page=20000");
  }

  @Test
  void groupsAreListedWithAssociations() throws Exception {
    server.enqueue(json(200, page("groups", """
        {"id":"g-1","name":"Field Crew","description":"d","member_ids":["m-1","m-2"],"form_ids":["f-1"]},
        {"id":"g-2","name":"Empty","member_ids":[]}""", 1, 1)));
    assertThat(client.groups()).containsExactly(
        new FulcrumGroup("g-1", "Field Crew", "d", List.of("m-1", "m-2")), new FulcrumGroup("g-2", "Empty", null, List.of()));
    assertThat(pathAndQuery(take())).isEqualTo("/api/v2/groups.json?associations=true&page=1&per_page=20000");
  }

  /** Only an answer that carries the description says whether a group bears the bridge's marker. */
  @Test
  void aGroupDescriptionSentAsNullIsNoneAndOneLeftOutIsUnknown() {
    server.enqueue(json(200, page("groups", """
        {"id":"g-1","name":"Crew","description":null,"member_ids":[]},
        {"id":"g-2","name":"Crew","member_ids":[]}""", 1, 1)));
    assertThat(client.groups()).extracting(FulcrumGroup::description).containsExactly("", null);
  }

  @Test
  void groupIsGetByIdWithAssociations() throws Exception {
    server.enqueue(json(200, "{\"group\":{\"id\":\"g-1\",\"name\":\"Field Crew\",\"member_ids\":[\"m-1\"]}}"));
    assertThat(client.group("g-1")).contains(new FulcrumGroup("g-1", "Field Crew", null, List.of("m-1")));
    assertThat(pathAndQuery(take())).isEqualTo("/api/v2/groups/g-1.json?associations=true");
  }

  @Test
  void anUnknownGroupIsEmpty() {
    server.enqueue(status(404));
    assertThat(client.group("g-x")).isEmpty();
  }

  @Test
  void createGroupPostsNameAndDescription() throws Exception {
    server.enqueue(json(201, "{\"group\":{\"name\":\"Field Crew\",\"description\":\"From Okta\",\"id\":\"g-7\"}}"));
    // an answer without member_ids says nothing of who is in the group
    assertThat(client.createGroup("Field Crew", "From Okta")).isEqualTo(new FulcrumGroup("g-7", "Field Crew", "From Okta", null));
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(pathAndQuery(request)).isEqualTo("/api/v2/groups.json");
    assertThat(request.getHeaders().get("Content-Type")).isEqualTo("application/json");
    assertThat(body(request)).isEqualTo("{\"group\":{\"name\":\"Field Crew\",\"description\":\"From Okta\"}}");
  }

  @Test
  void aGroupCreateAnsweredWithoutABodyFindsTheGroupByName() {
    server.enqueue(status(201));
    server.enqueue(json(200, page("groups", "{\"id\":\"g-1\",\"name\":\"Other\"},{\"id\":\"g-7\",\"name\":\"Field Crew\"}", 1, 1)));
    assertThat(client.createGroup("Field Crew", null).id()).isEqualTo("g-7");
  }

  @Test
  void aGroupCreateAnsweredWithAGroupWithoutAnIdFindsTheGroupByName() {
    server.enqueue(json(201, "{\"group\":{\"name\":\"Field Crew\",\"description\":null}}"));
    server.enqueue(json(200, page("groups", "{\"id\":\"g-7\",\"name\":\"Field Crew\"}", 1, 1)));
    assertThat(client.createGroup("Field Crew", null).id()).isEqualTo("g-7");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aGroupCreateWithoutABodyRefusesToGuessBetweenGroupsOfTheSameName() {
    server.enqueue(status(201));
    server.enqueue(json(200, page("groups", "{\"id\":\"g-1\",\"name\":\"Crew\"},{\"id\":\"g-7\",\"name\":\"Crew\"}", 1, 1)));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.createGroup("Crew", null))
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("2 groups carry its name");
  }

  @Test
  void renameGroupPutsOnlyTheName() throws Exception {
    server.enqueue(json(200, "{\"group\":{\"id\":\"g-1\",\"name\":\"New\"}}"));
    client.renameGroup("g-1", "New");
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("PUT");
    assertThat(pathAndQuery(request)).isEqualTo("/api/v2/groups/g-1.json");
    assertThat(body(request)).isEqualTo("{\"group\":{\"name\":\"New\"}}");
  }

  @Test
  void deleteGroupSendsNoBody() throws Exception {
    server.enqueue(status(204));
    client.deleteGroup("g-1");
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("DELETE");
    assertThat(pathAndQuery(request)).isEqualTo("/api/v2/groups/g-1.json");
    assertThat(request.getBodySize()).isZero();
    assertThat(request.getHeaders().get("Content-Type")).isNull();
  }

  @Test
  void fulcrums404ToAGroupDeleteIsAnsweredNotThrown() {
    server.enqueue(status(404));
    assertThat(client.deleteGroup("g-gone")).as("answered: the reconciler's read by id decides").isEqualTo(404);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void fulcrums410ToAGroupDeleteIsAnsweredNotThrown() {
    server.enqueue(status(410));
    assertThat(client.deleteGroup("g-gone")).as("answered: the reconciler's read by id decides").isEqualTo(404);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void groupMembersChangeThroughChangePermissions() throws Exception {
    server.enqueue(status(200));
    client.changeGroupMembers("g-1", List.of("m-1", "m-2"), List.of("m-3"));
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(pathAndQuery(request)).isEqualTo("/api/v2/groups/change_permissions.json");
    assertThat(request.getHeaders().get("Content-Type")).isEqualTo("application/json");
    assertThat(body(request)).isEqualTo(
        "{\"change\":{\"type\":\"group_members\",\"group_id\":\"g-1\",\"add\":[\"m-1\",\"m-2\"],\"remove\":[\"m-3\"]}}");
  }

  @Test
  void aGroupMemberChangeWithNothingToChangeMakesNoCallAndNeedsNoReadBack() {
    assertThat(client.changeGroupMembers("g-1", List.of(), List.of())).isTrue();
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void aBaseUrlWithAPathKeepsIt() throws Exception {
    FulcrumSettings settings = FulcrumSettings.of(server.url("/fulcrum/").toString(), TOKEN, 1000,
        java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5));
    try (HttpFulcrumClient prefixed = new HttpFulcrumClient(settings,
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), fx.clock, d -> {}, FulcrumCallListener.NONE)) {
      server.enqueue(status(204));
      prefixed.deleteGroup("g-1");
    }
    assertThat(take().getUrl().encodedPath()).isEqualTo("/fulcrum/api/v2/groups/g-1.json");
  }
}
