package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.testing.ReconcileHarness;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A big group pushed as Okta pushes it (a POST, then PATCHes of 250 members each, over real SCIM
 * HTTP) while the reconciler runs a cycle after every request, as the daemon's trigger has it:
 * Fulcrum calls against the fewest the contract allows (members cannot be given at create; one
 * change_permissions call carries any number of adds and removes).
 */
class BigGroupPushTest extends EndToEnd {
  static final int MEMBERS = 1000;
  static final int CHUNK = 250;
  /** Between Okta's requests: each waits for the answer to the one before. */
  static final Duration OKTA_GAP = Duration.ofMillis(300);

  List<String> users;

  void thousandUsersPushed() {
    start(ReconcileHarness.Options.defaults().withSeed(Seed.empty()));
    users = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      users.add(h.okta.user("user" + i + "@corp.example", "User", "No" + i, null));
    }
    h.settle(1_000);
    h.fulcrum.calls().reset();
  }

  /** What the daemon does after each accepted SCIM request: a cycle at once. */
  void oktaSends(String method, String path, String body) {
    h.clock.tick(OKTA_GAP);
    int status = h.scim().send(method, path, body, Map.of()).status();
    assertThat(status).as(method + " " + path).isBetween(200, 204);
    h.runOnce();
  }

  String oktaPushesTheGroup() {
    String group = h.scim().post("/Groups", Bodies.group("All Staff")).json().get("id").asText();
    h.runOnce();
    for (int from = 0; from < MEMBERS; from += CHUNK) {
      oktaSends("PATCH", "/Groups/" + group, members("add", users.subList(from, from + CHUNK)));
    }
    return group;
  }

  /** The group pushed and settled, its member change made; the call count starts afresh. */
  String thousandMemberGroupInFulcrum() {
    thousandUsersPushed();
    String group = oktaPushesTheGroup();
    h.settle();
    h.fulcrum.calls().reset();
    return group;
  }

  static String members(String op, List<String> ids) {
    return Bodies.patch("{\"op\":\"" + op + "\",\"path\":\"members\",\"value\":["
        + ids.stream().map(id -> "{\"value\":\"" + id + "\"}").collect(Collectors.joining(",")) + "]}");
  }

  FulcrumGroup managed(String groupScimId) {
    String fulcrumId = new LinkStore(h.db).get(EntityType.GROUP, groupScimId).orElseThrow().fulcrumId();
    return h.fulcrum.group(fulcrumId).orElseThrow();
  }

  String writes() {
    return h.fulcrum.calls().all().toString();
  }

  @Test
  void aThousandMemberGroupPushedInChunksCostsOneCreateAndOneMemberChange() {
    thousandUsersPushed();
    String group = oktaPushesTheGroup();
    h.settle();
    assertThat(managed(group).memberIds()).hasSize(MEMBERS);
    assertThat(calls("POST /api/v2/groups.json")).as(writes()).isEqualTo(1);
    assertThat(calls(FulcrumClient.GROUP_MEMBER_CHANGE)).as(writes()).isEqualTo(1);
    // and the reconciler's first read of Fulcrum's group list, which a create checks for its name
    assertThat(h.calls()).as(writes()).isLessThanOrEqualTo(2 + 1);
  }

  @Test
  void aMemberOktaTakesOutLeavesTheGroupAtTheCycleAfterTheRequestNotAfterTheSettleWindow() {
    String group = thousandMemberGroupInFulcrum();
    String leaver = h.fulcrum.memberByEmail("user7@corp.example").orElseThrow().id();
    oktaSends("PATCH", "/Groups/" + group, members("remove", List.of(users.get(7))));
    assertThat(managed(group).memberIds()).hasSize(MEMBERS - 1).doesNotContain(leaver);
  }

  @Test
  void membersTakenOutWhileAddsSettleLeaveAtOnceAndTakeTheAddsAlongInOneChange() {
    String group = thousandMemberGroupInFulcrum();
    oktaSends("PATCH", "/Groups/" + group, members("remove", users.subList(0, CHUNK)));
    oktaSends("PATCH", "/Groups/" + group, members("add", users.subList(0, 10)));
    assertThat(managed(group).memberIds()).as("the adds wait").hasSize(MEMBERS - CHUNK);
    oktaSends("PATCH", "/Groups/" + group, members("remove", users.subList(CHUNK, 2 * CHUNK)));
    assertThat(managed(group).memberIds()).as("the second removal went at once, the adds with it")
        .hasSize(MEMBERS - 2 * CHUNK + 10);
    h.settle();
    assertThat(calls(FulcrumClient.GROUP_MEMBER_CHANGE)).as(writes()).isEqualTo(2);
  }

  /** Removals never wait for Okta's next chunk: a thousand taken out in chunks of 250 cost a change per chunk. */
  @Test
  void aThousandMembersTakenOutInChunksLeaveChunkByChunk() {
    String group = thousandMemberGroupInFulcrum();
    for (int from = 0; from < MEMBERS; from += CHUNK) {
      oktaSends("PATCH", "/Groups/" + group, members("remove", users.subList(from, from + CHUNK)));
      assertThat(managed(group).memberIds()).hasSize(MEMBERS - from - CHUNK);
    }
    h.settle();
    assertThat(calls(FulcrumClient.GROUP_MEMBER_CHANGE)).as(writes()).isEqualTo(MEMBERS / CHUNK);
    assertThat(h.calls()).as(writes()).isEqualTo(MEMBERS / CHUNK);
  }

  /** Okta's AIW apps send a group's name and full member list in one PUT: one rename and one member change. */
  @Test
  void aRenameWithAThousandNewMembersInOnePutCostsOneRenameAndOneMemberChange() {
    thousandUsersPushed();
    String group = h.scim().post("/Groups", Bodies.group("Crew")).json().get("id").asText();
    h.settle();
    h.fulcrum.calls().reset();
    oktaSends("PUT", "/Groups/" + group, Bodies.group("All Staff", users.toArray(String[]::new)));
    h.settle();
    assertThat(managed(group).name()).isEqualTo("All Staff");
    assertThat(managed(group).memberIds()).hasSize(MEMBERS);
    assertThat(calls(FulcrumClient.GROUP_MEMBER_CHANGE)).as(writes()).isEqualTo(1);
    assertThat(calls("PUT /api/v2/groups/{id}.json")).as(writes()).isEqualTo(1);
    assertThat(h.calls()).as(writes()).isEqualTo(2);
  }
}
