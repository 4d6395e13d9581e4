package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A removal is done only once a read by id finds the member or group gone: whatever a delete is
 * answered, a person Fulcrum still has keeps the link, and the row is retried with the reason,
 * never DONE.
 */
class VerifiedRemovalTest extends EndToEnd {
  static final String ADA = "ada@corp.example";

  String pushedAda() {
    String id = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    return id;
  }

  @Test
  void aRemovalCostsOneReadByIdAndIsDoneOnceThatReadFindsTheMemberGone() {
    start();
    String ada = pushedAda();
    String member = inFulcrum(ADA).id();
    h.fulcrum.calls().reset();
    h.okta.set(ada, "active", 0);
    h.settle();

    assertThat(calls("DELETE /api/v2/memberships/{id}.json")).isEqualTo(1);
    assertThat(calls("GET /api/v2/memberships/{id}.json")).isEqualTo(1);
    assertThat(h.fulcrum.member(member)).isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isEmpty();
  }

  /** review-s16a F1: the audit said the bridge removed the member and unassigned its records. */
  @Test
  void aRemovalOfAMemberRemovedByHandFirstIsAuditedAsAlreadyGone() {
    start();
    String ada = pushedAda();
    String member = inFulcrum(ADA).id();
    h.http.deleteMember(member, null); // by hand, after the bridge read the member list
    h.okta.set(ada, "active", 0);
    h.settle();

    assertThat(new AuditLog(h.db, h.clock).list(null, 10)).filteredOn(e -> e.action().equals("REMOVE_MEMBER"))
        .singleElement().satisfies(e -> {
          assertThat(e.fulcrumId()).isEqualTo(member);
          assertThat(e.detail()).startsWith("already gone: Fulcrum answered 404").doesNotContain("records unassigned");
        });
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void aMemberDeleteAnswered204ThatRemovesNothingKeepsTheLinkAndIsRetriedWithTheReason() {
    start();
    String ada = pushedAda();
    String member = inFulcrum(ADA).id();
    h.fulcrum.faults().deletesIgnored(true);
    h.okta.set(ada, "active", 0);
    h.runOnce();

    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.RETRYING);
    assertThat(row.lastError()).contains("Fulcrum answered 204 to removing member " + member + " (" + ADA + ") but still has it");
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).as("link kept while Fulcrum has the member").isPresent();
    assertThat(audit("REMOVE_MEMBER")).singleElement()
        .satisfies(e -> assertThat(e.result()).startsWith("failed: ").contains("answered 204").contains("still has it"));
    assertThat(audit("UNLINK")).isEmpty();

    h.fulcrum.faults().clear();
    h.settle();
    assertThat(h.fulcrum.member(member)).isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(audit("UNLINK")).singleElement().satisfies(e -> assertThat(e.fulcrumId()).isEqualTo(member));
  }

  /** The 404 a Rails find gives for an unknown reassign target, with the member left in place. */
  @Test
  void aMemberDeleteAnsweredFulcrums404ThatRemovesNothingIsNotDone() {
    start();
    String ada = pushedAda();
    String member = inFulcrum(ADA).id();
    h.restart(UserPushTest.replacing(h.http, "deleteMember", args -> 404));
    h.okta.set(ada, "active", 0);
    h.runOnce();

    assertThat(h.fulcrum.member(member)).isPresent();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.RETRYING);
    assertThat(h.row(ResourceKey.user(ada)).lastError()).contains("Fulcrum answered 404 to removing member " + member);
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isPresent();
  }

  @Test
  void aMemberDeleteAnsweredByAProxysHtml404IsNotTakenForGone() {
    start();
    String ada = pushedAda();
    String member = inFulcrum(ADA).id();
    h.fulcrum.faults().deletesAnsweredByProxy(true);
    h.okta.set(ada, "active", 0);
    h.runOnce();

    assertThat(h.fulcrum.member(member)).isPresent();
    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.RETRYING);
    assertThat(row.lastError()).contains("404 answer is not Fulcrum's").contains("still has it");
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isPresent();

    h.fulcrum.faults().clear();
    h.settle();
    assertThat(h.fulcrum.member(member)).isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void aRemovalFulcrumNeverCarriesOutIsDeadAtTheEndOfTheRetryBudget() {
    start();
    String ada = pushedAda();
    h.fulcrum.faults().deletesIgnored(true);
    h.okta.set(ada, "active", 0);
    h.runOnce();
    h.clock.tick(Duration.ofHours(25));
    h.runOnce();

    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("still has it").contains("retry budget of 24h").doesNotContain("tried again");
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isPresent();
  }

  @Test
  void aGroupDeleteThatRemovesNothingKeepsTheLinkAndIsRetriedWithTheReason() {
    start();
    String crew = h.okta.group("Crew", List.of());
    h.settle();
    String group = new LinkStore(h.db).get(EntityType.GROUP, crew).orElseThrow().fulcrumId();
    h.fulcrum.faults().deletesIgnored(true);
    h.okta.deleteGroup(crew);
    h.runOnce();

    assertThat(h.fulcrum.group(group)).isPresent();
    WorkItem row = h.row(ResourceKey.group(crew));
    assertThat(row.state()).isEqualTo(WorkState.RETRYING);
    assertThat(row.lastError()).contains("Fulcrum answered 204 to deleting group " + group + " (Crew) but still has it");
    assertThat(new LinkStore(h.db).get(EntityType.GROUP, crew)).isPresent();

    h.fulcrum.faults().clear();
    h.settle();
    assertThat(h.fulcrum.group(group)).isEmpty();
    assertThat(new LinkStore(h.db).get(EntityType.GROUP, crew)).isEmpty();
  }

  private List<AuditEntry> audit(String action) {
    return new AuditLog(h.db, h.clock).list(null, 1000).stream().filter(e -> e.action().equals(action)).toList();
  }
}
