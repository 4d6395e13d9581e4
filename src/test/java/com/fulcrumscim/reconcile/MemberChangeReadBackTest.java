package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A member change (role, email, names) is done only once a read made after its PUT shows every
 * field it sent: Fulcrum's answer when it carries them (no extra call), else the member read back,
 * with the cycle's other such changes in one read of the member list, or by id (review-rec F3). A
 * 2xx without them that changed nothing (a proxy's {@code {}}; a role change by PUT is assumed, not
 * documented) is retried with the reason, then DEAD, instead of done while the person keeps the role
 * Okta took away until the nightly resync.
 */
class MemberChangeReadBackTest extends EndToEnd {
  static final String MEMBER_BY_ID = "GET /api/v2/memberships/{id}.json";

  /** Ada, a Manager, pushed: her SCIM id. */
  String adaManager() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    h.settle();
    return ada;
  }

  /** Ada, a Manager, pushed; Fulcrum then answers PUTs 200 {} and keeps roles; Okta demotes Ada: her SCIM id. */
  String adaDemotedWhileFulcrumKeepsRolesAndAnswersEmpty() {
    String ada = adaManager();
    h.fulcrum.putAppliesEmailOnly(true);
    h.fulcrum.putsAnsweredEmpty(true);
    h.okta.set(ada, "role", "Standard User");
    return ada;
  }

  @Test
  void aRoleDemotionAnsweredEmptyThatFulcrumDidNotMakeIsRetriedWithTheReasonNotDone() {
    String ada = adaDemotedWhileFulcrumKeepsRolesAndAnswersEmpty();
    String member = inFulcrum("ada@corp.example").id();

    h.runOnce();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.RETRYING);
    assertThat(h.row(ResourceKey.user(ada)).lastError()).contains("Fulcrum accepted the PUT of member " + member
        + " (ada@corp.example) but did not make it: the member still has role_id '" + roleId("Manager") + "' (sent '"
        + roleId("Standard User") + "') (read back by id); the change is not taken as made");
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Manager");
    assertThat(new AuditLog(h.db, h.clock).list(null, 10)).anySatisfy(e -> {
      assertThat(e.action()).isEqualTo("UPDATE_MEMBER");
      assertThat(e.result()).startsWith("failed: ").contains("still has role_id");
    });
  }

  @Test
  void aRoleDemotionFulcrumMakesInALaterCycleIsDone() {
    String ada = adaDemotedWhileFulcrumKeepsRolesAndAnswersEmpty();
    h.runOnce();

    h.fulcrum.putAppliesEmailOnly(false);
    h.settle();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Standard User");
  }

  @Test
  void aRoleDemotionFulcrumKeepsNotMakingIsDeadWithTheReasonAtTheEndOfItsBudget() {
    String ada = adaDemotedWhileFulcrumKeepsRolesAndAnswersEmpty();

    h.settle(500);

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DEAD);
    assertThat(h.row(ResourceKey.user(ada)).lastError()).contains("but did not make it: the member still has role_id")
        .contains("gave up after the retry budget");
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Manager");
  }

  /** What a verified change costs when Fulcrum's answer does not show it: one read of the member by id. */
  @Test
  void aRoleDemotionAnsweredEmptyAndMadeCostsOneReadOfTheMemberById() {
    String ada = adaManager();
    h.fulcrum.putsAnsweredEmpty(true);
    h.fulcrum.calls().reset();

    h.okta.set(ada, "role", "Standard User");
    h.runOnce();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Standard User");
    assertThat(calls(FulcrumClient.MEMBER_UPDATE)).isEqualTo(1);
    assertThat(calls(MEMBER_BY_ID)).isEqualTo(1);
    assertThat(h.calls()).isEqualTo(2);
  }

  @Test
  void anAnswerWithTheFieldsShowsTheChangeMadeAtNoExtraCall() {
    String ada = adaManager();
    h.fulcrum.calls().reset();

    h.okta.set(ada, "role", "Standard User");
    h.runOnce();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.calls()).isEqualTo(1);
  }

  /** Users u0..u{n-1}, pushed: their SCIM ids. */
  List<String> users(int n) {
    start();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(h.okta.user("u" + i + "@corp.example", "U", "No" + i, "Manager"));
    }
    h.settle();
    return ids;
  }

  @Test
  void aCyclesChangesAnsweredEmptyAreReadBackInOneReadOfTheMemberList() {
    List<String> ids = users(3);
    h.fulcrum.putsAnsweredEmpty(true);
    h.fulcrum.calls().reset();

    ids.forEach(id -> h.okta.set(id, "role", "Standard User"));
    h.runOnce();

    ids.forEach(id -> assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.DONE));
    assertThat(calls(FulcrumClient.MEMBER_UPDATE)).isEqualTo(3);
    assertThat(calls(FulcrumClient.MEMBERS_LIST)).isEqualTo(1);
    assertThat(h.calls()).isEqualTo(4);
  }

  @Test
  void changesAnsweredEmptyAreReadBackInTheMemberListTheCyclesRemovalsReadAtNoExtraCall() {
    List<String> ids = users(4);
    h.fulcrum.putsAnsweredEmpty(true);
    h.fulcrum.calls().reset();

    h.okta.set(ids.get(0), "role", "Standard User");
    h.okta.set(ids.get(1), "role", "Standard User");
    h.okta.set(ids.get(2), "active", 0);
    h.okta.set(ids.get(3), "active", 0);
    h.runOnce();

    ids.forEach(id -> assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.DONE));
    assertThat(calls(FulcrumClient.MEMBER_UPDATE)).isEqualTo(2);
    assertThat(calls(FulcrumClient.MEMBER_DELETE)).isEqualTo(2);
    assertThat(calls(FulcrumClient.MEMBERS_LIST)).isEqualTo(1);
    assertThat(h.calls()).isEqualTo(5);
  }
}
