package com.fulcrumscim.fulcrum;

import static com.fulcrumscim.fulcrum.ClientFixture.json;
import static com.fulcrumscim.fulcrum.ClientFixture.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import com.fulcrumscim.reconcile.RoleTable;
import com.fulcrumscim.testing.CapturedLogs;
import java.util.List;
import mockwebserver3.MockResponse;
import okhttp3.Headers;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Answers shared/fulcrum-api.md allows, or does not rule out, that the client must not take at face
 * value: a PUT kept in part, a same-name group made by hand, roles and members with fields missing
 * or of odd types, paging keys as strings, a group without its member ids.
 */
class HttpFulcrumClientOddAnswersTest extends MockFulcrumTest {
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  private static String page(String key, String items) {
    return "{\"" + key + "\":[" + items + "],\"current_page\":1,\"total_pages\":1}";
  }

  private List<String> warnings() {
    return logs.events().stream().filter(e -> e.getLevel() == Level.WARN).map(e -> e.getFormattedMessage()).toList();
  }

  // ---- finding 1: a PUT answered 2xx but not applied ----

  @Test
  void aPutAnsweredWithTheOldRoleIsRejectedNamingTheFieldAndNotRetried() {
    server.enqueue(json(200, "{\"membership\":{\"id\":\"m-1\",\"role_id\":\"r-old\"}}"));
    FulcrumException.Rejected e = catchThrowableOfType(FulcrumException.Rejected.class,
        () -> client.updateMember("m-1", new MemberFields(null, null, null, "r-new")));
    assertThat(e.detail()).isEqualTo("Fulcrum accepted the PUT but kept role_id 'r-old' (sent 'r-new')");
    assertThat(e.endpoint()).isEqualTo("PUT /api/v2/memberships/{id}.json");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aPutAnsweredWithTheOldNamesIsRejectedNamingEach() {
    server.enqueue(json(200, "{\"membership\":{\"id\":\"m-1\",\"first_name\":\"Al\",\"last_name\":\"Old\",\"email\":\"a@x.example\"}}"));
    assertThatThrownBy(() -> client.updateMember("m-1", new MemberFields("a@x.example", "Alice", "New", null)))
        .isInstanceOf(FulcrumException.Rejected.class)
        .hasMessageContaining("kept first_name 'Al' (sent 'Alice'), last_name 'Old' (sent 'New')")
        .hasMessageNotContaining("email");
  }

  @Test
  void aPutAnsweredWithEveryFieldSentShowsItMadeTheEmailInAnyCase() {
    server.enqueue(json(200, "{\"membership\":{\"id\":\"m-1\",\"email\":\"ada@corp.example\",\"role_id\":\"r-mgr\","
        + "\"first_name\":\"Ada\"}}"));
    assertThat(client.updateMember("m-1", new MemberFields("Ada@Corp.example", "Ada", null, "r-mgr"))).isTrue();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  /** Review-rec F3: a role demotion answered 200 without role_id may not have been made: the caller reads the member back. */
  @Test
  void aPutAnsweredWithoutAFieldSentOrWithoutABodyIsTakenButNotShownMade() {
    server.enqueue(json(200, "{\"membership\":{\"id\":\"m-1\",\"email\":\"ada@corp.example\"}}"));
    assertThat(client.updateMember("m-1", new MemberFields("Ada@Corp.example", "Ada", null, "r-mgr"))).isFalse();
    server.enqueue(json(200, "{}"));
    assertThat(client.updateMember("m-1", new MemberFields(null, null, null, "r-std"))).isFalse();
    server.enqueue(new MockResponse(200, Headers.of("Content-Type", "application/json"), ""));
    assertThat(client.updateMember("m-1", new MemberFields(null, null, null, "r-std"))).isFalse();
    assertThat(server.getRequestCount()).as("the client itself reads nothing back").isEqualTo(3);
  }

  /** A proxy's or captive portal's page answered 200: a role taken back or a member taken out of a group is not made. */
  @Test
  void aWriteAnswered2xxWithAPageThatIsNotJsonIsUnavailableNotDone() {
    MockResponse portal = new MockResponse(200, Headers.of("Content-Type", "text/html"), "<html>sign in to the network</html>");
    server.enqueue(portal);
    assertThatThrownBy(() -> client.updateMember("m-1", new MemberFields(null, null, null, "r-std")))
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessage("PUT /api/v2/memberships/{id}.json: 200 answer is not JSON");
    server.enqueue(portal);
    assertThatThrownBy(() -> client.changeGroupMembers("g-1", List.of(), List.of("m-1")))
        .isInstanceOf(FulcrumException.Unavailable.class);
    server.enqueue(portal);
    assertThatThrownBy(() -> client.renameGroup("g-1", "Crew")).isInstanceOf(FulcrumException.Unavailable.class);
  }

  @Test
  void aWriteAnswered204WithoutABodyIsTakenButNotShownMade() {
    server.enqueue(status(204));
    assertThat(client.updateMember("m-1", new MemberFields(null, null, null, "r-std"))).isFalse();
    server.enqueue(status(204));
    assertThat(client.changeGroupMembers("g-1", List.of(), List.of("m-1"))).isFalse();
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  // ---- a group member change answered 2xx but not made (review-groups M2) ----

  @Test
  void aMemberChangeAnsweredStillListingARemovedMemberAndMissingAnAddFailsNamingThem() {
    server.enqueue(json(200, "{\"group\":{\"id\":\"g-1\",\"name\":\"Crew\",\"member_ids\":[\"m-1\",\"m-3\"]}}"));
    assertThatThrownBy(() -> client.changeGroupMembers("g-1", List.of("m-1", "m-2"), List.of("m-3")))
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessage("POST /api/v2/groups/change_permissions.json: Fulcrum accepted the member change (200) but still"
            + " lists m-3 (removed) and does not list m-2 (added)");
    assertThat(server.getRequestCount()).as("no call spent to find out").isEqualTo(1);
  }

  @Test
  void aMemberChangeNotMadeNamesAHandfulOfTheIds() {
    server.enqueue(json(200, "{\"group\":{\"id\":\"g-1\",\"member_ids\":[]}}"));
    assertThatThrownBy(() -> client.changeGroupMembers("g-1", List.of("m-1", "m-2", "m-3", "m-4", "m-5", "m-6", "m-7"), List.of()))
        .hasMessageEndingWith("does not list m-1, m-2, m-3, m-4, m-5 and 2 more (added)");
  }

  /**
   * An answer without its group's member_ids (no body, a proxy's {@code {}}, the group without them,
   * another group's) does not fail, and does not say the change was made: the caller reads the group back.
   */
  @Test
  void aMemberChangeAnsweredWithoutItsGroupsMemberIdsIsNotShownMadeAndOneWithThemIs() {
    server.enqueue(status(200));
    server.enqueue(json(200, "{}"));
    server.enqueue(json(200, "{\"group\":{\"id\":\"g-1\",\"name\":\"Crew\"}}"));
    server.enqueue(json(200, "{\"group\":{\"id\":\"g-2\",\"member_ids\":[\"m-3\"]}}"));
    server.enqueue(json(200, "{\"group\":{\"id\":\"g-1\",\"member_ids\":[\"m-1\",\"m-owner\"]}}"));
    List<Boolean> shown = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      shown.add(client.changeGroupMembers("g-1", List.of("m-1"), List.of("m-3")));
    }
    assertThat(shown).containsExactly(false, false, false, false, true);
    assertThat(server.getRequestCount()).isEqualTo(5);
  }

  // ---- finding 2: a group create answered without a body ----

  @Test
  void aGroupCreateWithoutABodyNeverTakesASameNameGroupMadeByHand() {
    server.enqueue(status(201));
    server.enqueue(json(200, page("groups",
        "{\"id\":\"g-hand\",\"name\":\"Field Crew\",\"description\":\"made by hand\",\"member_ids\":[\"m-7\"]}")));
    assertThatThrownBy(() -> client.createGroup("Field Crew", FulcrumGroup.BRIDGE_MARKER))
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("0 groups carry its name and description");
  }

  @Test
  void aGroupCreateWithoutABodyFindsTheSameNameGroupCarryingTheDescriptionSent() {
    server.enqueue(status(201));
    server.enqueue(json(200, page("groups",
        "{\"id\":\"g-hand\",\"name\":\"Field Crew\",\"description\":\"made by hand\",\"member_ids\":[\"m-7\"]},"
            + "{\"id\":\"g-7\",\"name\":\"Field Crew\",\"description\":\"" + FulcrumGroup.BRIDGE_MARKER + "\"}")));
    assertThat(client.createGroup("Field Crew", FulcrumGroup.BRIDGE_MARKER).id()).isEqualTo("g-7");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  // ---- finding 3: a role without is_system ----

  @Test
  void aRoleNamedOwnerWithoutIsSystemIsNeverGrantedWithoutAllowOwner() {
    server.enqueue(json(200, page("roles",
        "{\"id\":\"r-own\",\"name\":\"Owner\"},{\"id\":\"r-std\",\"name\":\"Standard User\",\"is_default\":true}")));
    List<FulcrumRole> roles = client.roles();
    assertThat(roles).contains(new FulcrumRole("r-own", "Owner", true, false));
    assertThat(new RoleTable(roles, Map.of(), "", false).resolve("Owner")).isInstanceOf(RoleTable.Refused.class);
  }

  @Test
  void aRoleNamedOwnerInAnyCaseCountsAsOwnerWhateverItsIsSystem() {
    server.enqueue(json(200, page("roles",
        "{\"id\":\"r-own\",\"name\":\"OWNER\",\"is_system\":false},{\"id\":\"r-std\",\"name\":\"Standard User\",\"is_system\":null}")));
    List<FulcrumRole> roles = client.roles();
    assertThat(roles).extracting(FulcrumRole::system).containsExactly(false, false);
    RoleTable table = new RoleTable(roles, Map.of(), "", false);
    assertThat(table.resolve("owner")).isInstanceOf(RoleTable.Refused.class);
    assertThat(table.resolve("Standard User")).isEqualTo(new RoleTable.Granted("r-std"));
  }

  // ---- finding 7: a role without an id or a name ----

  @Test
  void rolesWithoutAnIdOrANameAreDroppedWithAWarning() {
    server.enqueue(json(200, page("roles", "{\"id\":\"r-x\",\"name\":null,\"is_system\":false},"
        + "{\"name\":\"No Id\",\"is_system\":false},"
        + "{\"id\":\"r-std\",\"name\":\"Standard User\",\"is_system\":true,\"is_default\":true}")));
    List<FulcrumRole> roles = client.roles();
    assertThat(roles).extracting(FulcrumRole::id).containsExactly("r-std");
    assertThat(new RoleTable(roles, Map.of(), "", false).resolve("Standard User")).isEqualTo(new RoleTable.Granted("r-std"));
    assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("2 role(s) without an id or a name ignored"));
  }

  // ---- finding 6: one malformed item ----

  @Test
  void aMemberWithAFieldTheBridgeNeedsOfTheWrongTypeFailsTheListNamingItemAndField() {
    server.enqueue(json(200, page("memberships",
        "{\"id\":\"m-1\",\"email\":\"a@x.example\"},{\"id\":\"m-2\",\"email\":{\"address\":\"b@x.example\"}}")));
    assertThatThrownBy(client::members)
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessage("GET /api/v2/memberships.json: page 1, item 2 (id m-2) is malformed: field email has a type"
            + " the bridge cannot read");
  }

  @Test
  void aGroupWhoseMemberIdsHoldObjectsFailsTheListNamingTheField() {
    server.enqueue(json(200, page("groups", "{\"id\":\"g-1\",\"name\":\"Crew\",\"member_ids\":[{\"id\":\"m-1\"}]}")));
    assertThatThrownBy(client::groups)
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("page 1, item 1 (id g-1) is malformed: field member_ids[0]");
  }

  @Test
  void oddValuesInMemberFieldsTheBridgeDoesNotUseAreReadLeniently() {
    server.enqueue(json(200, page("memberships",
        "{\"id\":\"m-1\",\"email\":\"a@x.example\",\"managed\":\"unknown\",\"status\":{\"state\":\"active\"},\"role_name\":[1]},"
            + "{\"id\":\"m-2\",\"email\":\"b@x.example\",\"managed\":\"true\",\"status\":\"pending\"}")));
    assertThat(client.members()).containsExactly(
        new FulcrumMember("m-1", null, "a@x.example", null, null, null, null, null, null),
        new FulcrumMember("m-2", null, "b@x.example", null, null, null, null, true, "pending"));
  }

  // ---- a 2xx list answer without a list ----

  /** Read as an empty list, it would tell a removal's check (and resync) that every member is gone. */
  @Test
  void aListAnsweredWithAnObjectThatHoldsNoListFailsTheReadInsteadOfReadingEmpty() {
    server.enqueue(json(200, "{\"message\":\"Service degraded, try again later\",\"current_page\":1}"));
    assertThatThrownBy(client::members)
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessage("GET /api/v2/memberships.json: 200 answer to page 1 holds no list of memberships");
  }

  @Test
  void aListPageAnsweredWithAnEmptyBodyFailsTheRead() {
    server.enqueue(json(200, "{\"groups\":[{\"id\":\"g-1\",\"name\":\"Crew\",\"member_ids\":[]}],\"current_page\":1,\"total_pages\":2}"));
    server.enqueue(json(200, ""));
    assertThatThrownBy(client::groups)
        .isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("200 answer to page 2 holds no list of groups");
  }

  @Test
  void anEmptyListIsEmpty() {
    server.enqueue(json(200, page("memberships", "")));
    assertThat(client.members()).isEmpty();
  }

  // ---- finding 8: total_pages as a string ----

  @Test
  void totalPagesAsAStringIsReadAsANumber() {
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-1\"},{\"id\":\"m-2\"}],\"current_page\":\"1\",\"total_pages\":\"2\"}"));
    server.enqueue(json(200, "{\"memberships\":[{\"id\":\"m-3\"}],\"current_page\":\"2\",\"total_pages\":\"2\"}"));
    assertThat(client.members()).extracting(FulcrumMember::id).containsExactly("m-1", "m-2", "m-3");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  // ---- S3: a group without member_ids is unknown, not empty ----

  /** One such group, even one made by hand, must not fail the list every group's reconcile reads. */
  @Test
  void aGroupListedWithoutMemberIdsComesWithItsMembersUnknownAndTheOthersAsListed() {
    server.enqueue(json(200, page("groups",
        "{\"id\":\"g-1\",\"name\":\"Crew\",\"member_ids\":[\"m-1\"]},{\"id\":\"g-2\",\"name\":\"Field Crew\"}")));
    List<FulcrumGroup> groups = client.groups();
    assertThat(groups).extracting(FulcrumGroup::id, FulcrumGroup::membersKnown)
        .containsExactly(tuple("g-1", true), tuple("g-2", false));
    assertThat(groups.get(0).memberIds()).containsExactly("m-1");
    assertThat(groups.get(1)).as("unknown is not empty").isNotEqualTo(new FulcrumGroup("g-2", "Field Crew", null, List.of()));
    assertThat(server.getRequestCount()).as("no call spent reading groups one by one").isEqualTo(1);
  }

  @Test
  void aSingleGroupReadWithoutMemberIdsComesWithItsMembersUnknown() {
    server.enqueue(json(200, "{\"group\":{\"id\":\"g-1\",\"name\":\"Crew\"}}"));
    assertThat(client.group("g-1")).hasValueSatisfying(g -> assertThat(g.membersKnown()).isFalse());
  }

  @Test
  void aGroupWithAnEmptyMemberIdsListIsEmpty() {
    server.enqueue(json(200, page("groups", "{\"id\":\"g-1\",\"name\":\"Crew\",\"member_ids\":[]}")));
    assertThat(client.groups()).containsExactly(new FulcrumGroup("g-1", "Crew", null, List.of()));
  }
}
