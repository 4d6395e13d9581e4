package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A group member change is done only once a read made after it shows it made, its adds as well as
 * its removals: Fulcrum's answer when it carries the group's member_ids (no extra call), else the
 * group read back, with the cycle's other such changes in one read of the group list, or by id. A
 * 2xx without member_ids that changed nothing (a proxy's {@code {}}, a Fulcrum reading another root
 * key) is retried with the reason, then DEAD, instead of done while the person keeps the group, or
 * never gets it: no later plan sends an add again that the reconciler recorded as done.
 */
class GroupChangeReadBackTest extends EndToEnd {
  static final String GROUP_BY_ID = "GET /api/v2/groups/{id}.json";
  static final String GROUP_LIST = "GET /api/v2/groups.json";

  /** SCIM ids of users p0, q0, p1, q1, ... and of Okta groups Crew 0, Crew 1, ...: Crew i of p i and q i. */
  record Crews(List<String> users, List<String> groups) {}

  /** {@code n} such Okta groups, pushed. */
  Crews crewsOfTwo(int n) {
    start();
    List<String> users = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      users.add(h.okta.user("p" + i + "@corp.example", "P", "No" + i, null));
      users.add(h.okta.user("q" + i + "@corp.example", "Q", "No" + i, null));
      groups.add(h.okta.group("Crew " + i, users.subList(2 * i, 2 * i + 2)));
    }
    h.settle();
    return new Crews(users, groups);
  }

  /** Okta takes q i out of each Crew i. */
  void eachQLeaves(Crews c) {
    for (int i = 0; i < c.groups().size(); i++) {
      h.okta.setGroup(c.groups().get(i), "Crew " + i, List.of(c.users().get(2 * i)));
    }
  }

  /**
   * Ada and Bob in Crew, pushed; Fulcrum then answers member changes 2xx without member_ids and
   * makes none, and Okta takes Bob out: Crew's SCIM id.
   */
  String bobLeavesWhileFulcrumIgnoresMemberChanges() {
    Crew c = adaAndBobInCrew();
    h.fulcrum.memberChangesIgnored(true);
    h.fulcrum.memberChangesAnsweredEmpty(true);
    bobLeaves(c);
    return c.crew();
  }

  String fulcrumId(String groupScimId) {
    return new LinkStore(h.db).get(EntityType.GROUP, groupScimId).orElseThrow().fulcrumId();
  }

  @Test
  void aRemovalAnsweredWithoutMemberIdsThatFulcrumDidNotMakeIsRetriedWithTheReasonNotDone() {
    String crew = bobLeavesWhileFulcrumIgnoresMemberChanges();
    String bob = inFulcrum("bob@corp.example").id();

    h.runOnce();

    assertThat(h.row(ResourceKey.group(crew)).state()).isEqualTo(WorkState.RETRYING);
    assertThat(h.row(ResourceKey.group(crew)).lastError()).contains("Fulcrum accepted the member change of group "
        + fulcrumId(crew) + " (Crew) but still lists " + bob + " (removed; read back by id)");
    assertThat(h.fulcrum.group(fulcrumId(crew)).orElseThrow().memberIds()).contains(bob);
    assertThat(new AuditLog(h.db, h.clock).list(null, 10)).anySatisfy(e -> {
      assertThat(e.action()).isEqualTo("CHANGE_GROUP_MEMBERS");
      assertThat(e.result()).startsWith("failed: ").contains("still lists " + bob);
    });
  }

  @Test
  void aRemovalFulcrumKeepsNotMakingIsDeadWithTheReasonAtTheEndOfItsBudget() {
    String crew = bobLeavesWhileFulcrumIgnoresMemberChanges();
    String bob = inFulcrum("bob@corp.example").id();

    h.settle(500);

    assertThat(h.row(ResourceKey.group(crew)).state()).isEqualTo(WorkState.DEAD);
    assertThat(h.row(ResourceKey.group(crew)).lastError()).contains("but still lists " + bob)
        .contains("gave up after the retry budget");
  }

  @Test
  void aRemovalFulcrumMakesOnceItCountsTheChangeAgainIsDone() {
    String crew = bobLeavesWhileFulcrumIgnoresMemberChanges();
    h.runOnce();

    h.fulcrum.memberChangesIgnored(false);
    h.settle();

    assertThat(h.row(ResourceKey.group(crew)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.fulcrum.group(fulcrumId(crew)).orElseThrow().memberIds()).containsExactly(inFulcrum("ada@corp.example").id());
  }

  /** What a verified removal costs when Fulcrum's answer does not show it: one read of the group by id. */
  @Test
  void aRemovalAnsweredWithoutMemberIdsAndMadeCostsOneReadOfTheGroupById() {
    Crew c = adaAndBobInCrew();
    String crew = c.crew();
    h.fulcrum.memberChangesAnsweredEmpty(true);
    h.fulcrum.calls().reset();

    bobLeaves(c);
    h.runOnce();

    assertThat(h.row(ResourceKey.group(crew)).state()).isEqualTo(WorkState.DONE);
    assertThat(calls(FulcrumClient.GROUP_MEMBER_CHANGE)).isEqualTo(1);
    assertThat(calls(GROUP_BY_ID)).isEqualTo(1);
    assertThat(h.calls()).isEqualTo(2);
  }

  @Test
  void anAnswerWithMemberIdsShowsTheRemovalMadeAtNoExtraCall() {
    Crew c = adaAndBobInCrew();
    String crew = c.crew();
    h.fulcrum.calls().reset();

    bobLeaves(c);
    h.runOnce();

    assertThat(h.row(ResourceKey.group(crew)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.calls()).isEqualTo(1);
  }

  /** Cy, pushed, in no group: Cy's SCIM id. */
  String cyPushed() {
    String cy = h.okta.user("cy@corp.example", "Cy", "Young", null);
    h.settle();
    return cy;
  }

  /** Okta puts Cy into Crew, beside Ada and Bob. */
  void cyJoins(Crew c, String cy) {
    h.okta.setGroup(c.crew(), "Crew", List.of(c.ada(), c.bob(), cy));
    h.groupChangesSettle();
  }

  @Test
  void anAddAnsweredWithoutMemberIdsThatFulcrumDidNotMakeIsRetriedWithTheReasonNotDone() {
    Crew c = adaAndBobInCrew();
    String cy = cyPushed();
    String cys = inFulcrum("cy@corp.example").id();
    h.fulcrum.memberChangesIgnored(true);
    h.fulcrum.memberChangesAnsweredEmpty(true);

    cyJoins(c, cy);
    h.runOnce();

    assertThat(h.row(ResourceKey.group(c.crew())).state()).isEqualTo(WorkState.RETRYING);
    assertThat(h.row(ResourceKey.group(c.crew())).lastError()).contains("Fulcrum accepted the member change of group "
        + fulcrumId(c.crew()) + " (Crew) but does not list " + cys + " (added; read back by id)");
    assertThat(h.fulcrum.group(fulcrumId(c.crew())).orElseThrow().memberIds()).doesNotContain(cys);
  }

  @Test
  void anAddFulcrumMakesOnceItCountsTheChangeAgainIsDone() {
    Crew c = adaAndBobInCrew();
    String cy = cyPushed();
    h.fulcrum.memberChangesIgnored(true);
    h.fulcrum.memberChangesAnsweredEmpty(true);
    cyJoins(c, cy);
    h.runOnce();

    h.fulcrum.memberChangesIgnored(false);
    h.settle();

    assertThat(h.row(ResourceKey.group(c.crew())).state()).isEqualTo(WorkState.DONE);
    assertThat(h.fulcrum.group(fulcrumId(c.crew())).orElseThrow().memberIds()).contains(inFulcrum("cy@corp.example").id());
  }

  /** One change that adds and removes, not made: the read names both. */
  @Test
  void aChangeReadBackNamesTheRemovedMemberStillListedAndTheAddedOneNotListed() {
    Crew c = adaAndBobInCrew();
    String cy = cyPushed();
    h.fulcrum.memberChangesIgnored(true);
    h.fulcrum.memberChangesAnsweredEmpty(true);

    h.okta.setGroup(c.crew(), "Crew", List.of(c.ada(), cy));
    h.runOnce();

    assertThat(h.row(ResourceKey.group(c.crew())).lastError()).contains("but still lists " + inFulcrum("bob@corp.example").id()
        + " (removed; read back by id) and does not list " + inFulcrum("cy@corp.example").id() + " (added; read back by id)");
  }

  /** What a verified add costs when Fulcrum's answer does not show it: one read of the group by id. */
  @Test
  void anAddAnsweredWithoutMemberIdsAndMadeCostsOneReadOfTheGroupById() {
    Crew c = adaAndBobInCrew();
    String cy = cyPushed();
    h.fulcrum.memberChangesAnsweredEmpty(true);
    h.fulcrum.calls().reset();

    cyJoins(c, cy);
    h.runOnce();

    assertThat(h.row(ResourceKey.group(c.crew())).state()).isEqualTo(WorkState.DONE);
    assertThat(calls(FulcrumClient.GROUP_MEMBER_CHANGE)).isEqualTo(1);
    assertThat(calls(GROUP_BY_ID)).isEqualTo(1);
    assertThat(h.calls()).isEqualTo(2);
  }

  @Test
  void anAddAnsweredWithMemberIdsCostsNoExtraCall() {
    Crew c = adaAndBobInCrew();
    String cy = cyPushed();
    h.fulcrum.calls().reset();

    cyJoins(c, cy);
    h.runOnce();

    assertThat(h.row(ResourceKey.group(c.crew())).state()).isEqualTo(WorkState.DONE);
    assertThat(h.calls()).isEqualTo(1);
  }

  /** The cycle's adds, as its removals: one read of the group list after all their calls. */
  @Test
  void inOneReadOfTheGroupListEachGroupNotListingAnAddedMemberIsRetried() {
    Crews c = crewsOfTwo(2);
    List<String> groups = c.groups();
    String cy = cyPushed();
    h.fulcrum.memberChangesIgnored(true);
    h.fulcrum.memberChangesAnsweredEmpty(true);
    h.fulcrum.calls().reset();

    for (int i = 0; i < 2; i++) {
      h.okta.setGroup(groups.get(i), "Crew " + i, List.of(c.users().get(2 * i), c.users().get(2 * i + 1), cy));
    }
    h.groupChangesSettle();
    h.runOnce();

    assertThat(calls(GROUP_LIST)).isEqualTo(1);
    assertThat(calls(GROUP_BY_ID)).isZero();
    for (int i = 0; i < 2; i++) {
      assertThat(h.row(ResourceKey.group(groups.get(i))).state()).isEqualTo(WorkState.RETRYING);
      assertThat(h.row(ResourceKey.group(groups.get(i))).lastError())
          .contains("but does not list " + inFulcrum("cy@corp.example").id() + " (added; read back in the group list)");
    }
  }

  /** Several such changes in one cycle: one read of the group list after all their calls, not one by id each. */
  @Test
  void theCyclesRemovalsAnsweredWithoutMemberIdsAreReadBackInOneReadOfTheGroupList() {
    Crews c = crewsOfTwo(3);
    List<String> groups = c.groups();
    h.fulcrum.memberChangesAnsweredEmpty(true);
    h.fulcrum.calls().reset();

    eachQLeaves(c);
    h.runOnce();

    assertThat(calls(FulcrumClient.GROUP_MEMBER_CHANGE)).isEqualTo(3);
    assertThat(calls(GROUP_LIST)).isEqualTo(1);
    assertThat(calls(GROUP_BY_ID)).isZero();
    assertThat(h.calls()).isEqualTo(3 + 1);
    for (int i = 0; i < 3; i++) {
      assertThat(h.row(ResourceKey.group(groups.get(i))).state()).isEqualTo(WorkState.DONE);
      assertThat(h.fulcrum.group(fulcrumId(groups.get(i))).orElseThrow().memberIds())
          .containsExactly(inFulcrum("p" + i + "@corp.example").id());
    }
  }

  @Test
  void inOneReadOfTheGroupListEachGroupStillListingARemovedMemberIsRetried() {
    Crews c = crewsOfTwo(2);
    List<String> groups = c.groups();
    h.fulcrum.memberChangesIgnored(true);
    h.fulcrum.memberChangesAnsweredEmpty(true);

    eachQLeaves(c);
    h.runOnce();

    for (int i = 0; i < 2; i++) {
      assertThat(h.row(ResourceKey.group(groups.get(i))).state()).isEqualTo(WorkState.RETRYING);
      assertThat(h.row(ResourceKey.group(groups.get(i))).lastError())
          .contains("but still lists " + inFulcrum("q" + i + "@corp.example").id() + " (removed; read back in the group list)");
    }
  }
}
