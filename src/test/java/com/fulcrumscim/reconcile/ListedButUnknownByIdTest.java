package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.emulator.DeleteFault;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A lone removal whose DELETE and read by id both get Fulcrum's 404 is planned again on a member
 * list read after them (someone may have invited the person again by hand). When that list still
 * shows the very member, Fulcrum answers 404 for it by id while listing it (an API gateway's route,
 * an inconsistency in Fulcrum): a second 404 by id is not trusted. The removal fails, retried with
 * that reason, and the link stays; it never ends done while the person keeps access.
 */
class ListedButUnknownByIdTest extends EndToEnd {
  static final String ADA = "ada@corp.example";
  static final String GET_BY_ID = "GET /api/v2/memberships/{id}.json";

  /** Ada pushed, then her member answers 404 by id: her SCIM id. */
  String adaUnknownById() {
    start();
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    h.fulcrum.deleteFault(inFulcrum(ADA).id(), DeleteFault.UNKNOWN_BY_ID);
    h.fulcrum.calls().reset();
    return ada;
  }

  @Test
  void aRemovalFulcrumAnswers404ByIdForWhileListingTheMemberIsRetriedWithThatReasonNotDone() {
    String ada = adaUnknownById();
    String member = inFulcrum(ADA).id();

    h.okta.set(ada, "active", 0);
    h.runOnce();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.RETRYING);
    assertThat(h.row(ResourceKey.user(ada)).lastError())
        .contains("Fulcrum lists member " + member + " (" + ADA + ") but answers 404 for it by id");
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).as("the link stays while Fulcrum lists the member").isPresent();
    assertThat(h.fulcrum.member(member)).isPresent();
    assertThat(new AuditLog(h.db, h.clock).list(null, 10)).filteredOn(e -> e.action().equals("REMOVE_MEMBER"))
        .as("newest first: the DELETE read back by id, then what the list showed")
        .extracting(AuditEntry::result).satisfiesExactly(
            last -> assertThat(last).startsWith("failed: DELETE /api/v2/memberships/{id}.json: Fulcrum lists member " + member),
            first -> assertThat(first).isEqualTo("ok"));
    assertThat(new AuditLog(h.db, h.clock).list(null, 10)).noneMatch(e -> e.action().equals("UNLINK"));
  }

  /** The DELETE once, its read by id, and the member list the new plan is made on: no second DELETE whose 404 says nothing. */
  @Test
  void theContradictionCostsNoSecondDeleteOrRead() {
    String ada = adaUnknownById();

    h.okta.set(ada, "active", 0);
    h.runOnce();

    assertThat(calls(FulcrumClient.MEMBER_DELETE)).isEqualTo(1);
    assertThat(calls(GET_BY_ID)).isEqualTo(1);
    assertThat(calls(FulcrumClient.MEMBERS_LIST)).isEqualTo(1);
  }

  @Test
  void aRemovalFulcrumKeepsAnswering404ByIdForIsDeadWithThatReasonAtTheEndOfItsBudget() {
    String ada = adaUnknownById();
    String member = inFulcrum(ADA).id();

    h.okta.set(ada, "active", 0);
    h.settle(500);

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DEAD);
    assertThat(h.row(ResourceKey.user(ada)).lastError()).contains("Fulcrum lists member " + member + " (" + ADA
        + ") but answers 404 for it by id").contains("gave up after the retry budget");
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isPresent();
  }

  @Test
  void onceFulcrumAnswersForTheMemberByIdAgainItIsRemoved() {
    String ada = adaUnknownById();
    String member = inFulcrum(ADA).id();
    h.okta.set(ada, "active", 0);
    h.runOnce();

    h.fulcrum.deleteFault(member, null);
    h.settle();

    assertThat(h.fulcrum.member(member)).isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isEmpty();
  }

  /** Read in the member list (several removals in the cycle), the same member was never taken for gone. */
  @Test
  void amongSeveralRemovalsReadBackInTheListTheMemberIsFoundStillThere() {
    start();
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    String bob = h.okta.user("bob@corp.example", "Bob", "Builder", null);
    h.settle();
    String member = inFulcrum(ADA).id();
    h.fulcrum.deleteFault(member, DeleteFault.UNKNOWN_BY_ID);

    List.of(ada, bob).forEach(u -> h.okta.set(u, "active", 0));
    h.runOnce();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.RETRYING);
    assertThat(h.row(ResourceKey.user(ada)).lastError()).contains("read back in the member list");
    assertThat(h.row(ResourceKey.user(bob)).state()).isEqualTo(WorkState.DONE);
  }
}
