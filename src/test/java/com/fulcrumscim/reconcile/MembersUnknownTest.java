package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.ops.OpsStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Fulcrum that lists a group without member_ids (associations=true asked): who is in that group
 * is unknown. Only the plan of a managed group needs its members; that one is refused, naming the
 * group, and every other group is reconciled as usual, at no extra call.
 */
class MembersUnknownTest extends EndToEnd {
  static final String GROUP_BY_ID = "GET /api/v2/groups/{id}.json";

  String fulcrumIdOf(String groupScimId) {
    return new LinkStore(h.db).get(EntityType.GROUP, groupScimId).orElseThrow().fulcrumId();
  }

  FulcrumGroup managed(String groupScimId) {
    return h.fulcrum.group(fulcrumIdOf(groupScimId)).orElseThrow();
  }

  String memberId(String email) {
    return inFulcrum(email).id();
  }

  /** Past the mirrors' age: the next plan reads Fulcrum's lists again. */
  void listsReadAgain() {
    h.clock.tick(Duration.ofMinutes(10));
  }

  @Test
  void anUnmanagedGroupListedWithoutMemberIdsStopsNoGroupReconcile() {
    start();
    h.fulcrum.memberIdsLeftOut("g-crew", true); // made by hand, never touched by the bridge
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    String bob = h.okta.user("bob@corp.example", "Bob", "Builder", null);
    String ops = h.okta.group("Ops", List.of(ada, bob));
    h.settle();
    assertThat(h.row(ResourceKey.group(ops)).state()).isEqualTo(WorkState.DONE);
    assertThat(managed(ops).memberIds()).containsExactlyInAnyOrder(memberId("ada@corp.example"), memberId("bob@corp.example"));

    listsReadAgain();
    h.okta.setGroup(ops, "Ops", List.of(ada));
    h.settle();
    assertThat(h.row(ResourceKey.group(ops)).state()).isEqualTo(WorkState.DONE);
    assertThat(managed(ops).memberIds()).containsExactly(memberId("ada@corp.example"));
    assertThat(calls(GROUP_BY_ID)).as("no read by id for a group the bridge does not manage").isZero();
  }

  @Test
  void aManagedGroupWhoseMembersAreUnknownIsRefusedNamingItWhileOthersProceed() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    String bob = h.okta.user("bob@corp.example", "Bob", "Builder", null);
    String crew = h.okta.group("Night Crew", List.of(ada, bob));
    String ops = h.okta.group("Ops", List.of(ada, bob));
    h.settle();
    String crewId = fulcrumIdOf(crew);
    long byIdBefore = calls(GROUP_BY_ID);

    h.fulcrum.memberIdsLeftOut(crewId, true);
    listsReadAgain();
    h.okta.setGroup(crew, "Night Crew", List.of(ada));
    h.okta.setGroup(ops, "Ops", List.of(ada));
    h.settle();

    WorkItem refused = h.row(ResourceKey.group(crew));
    assertThat(refused.state()).isEqualTo(WorkState.DEAD);
    assertThat(refused.lastError()).contains("'Night Crew' (" + crewId + ") without member_ids")
        .contains("journal retry group/" + crew);
    assertThat(managed(crew).memberIds()).as("nothing was planned on members taken for none")
        .containsExactlyInAnyOrder(memberId("ada@corp.example"), memberId("bob@corp.example"));
    assertThat(calls(GROUP_BY_ID) - byIdBefore).as("one read by id before refusing").isEqualTo(1);

    assertThat(h.row(ResourceKey.group(ops)).state()).isEqualTo(WorkState.DONE);
    assertThat(managed(ops).memberIds()).containsExactly(memberId("ada@corp.example"));
  }

  @Test
  void aRemovalFromAManagedGroupWhoseMembersAreUnknownIsADeadDeprovisioning() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    String bob = h.okta.user("bob@corp.example", "Bob", "Builder", null);
    String crew = h.okta.group("Night Crew", List.of(ada, bob));
    h.settle();
    h.fulcrum.memberIdsLeftOut(fulcrumIdOf(crew), true);
    listsReadAgain();

    h.okta.setGroup(crew, "Night Crew", List.of(ada)); // Okta takes Bob out
    h.settle();

    WorkItem refused = h.row(ResourceKey.group(crew));
    assertThat(refused.state()).isEqualTo(WorkState.DEAD);
    assertThat(managed(crew).memberIds()).as("Bob keeps the group").contains(memberId("bob@corp.example"));
    assertThat(refused.removal()).as("counted among the dead removals, whose alert is critical").isTrue();
    assertThat(new OpsStore(h.db).deadRemovals()).isEqualTo(1);
  }

  @Test
  void aManagedGroupWhoseMembersAreUnknownIsStillDeletedWhenOktaDeletesIt() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    String crew = h.okta.group("Night Crew", List.of(ada));
    h.settle();
    String crewId = fulcrumIdOf(crew);

    h.fulcrum.memberIdsLeftOut(crewId, true);
    listsReadAgain();
    h.okta.deleteGroup(crew);
    h.settle();
    assertThat(h.row(ResourceKey.group(crew)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.fulcrum.group(crewId)).isEmpty();
  }
}
