package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.resync.Progress;
import com.fulcrumscim.resync.Resync;
import com.fulcrumscim.testing.DesiredVsActual;
import com.fulcrumscim.testing.ReconcileHarness;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 9's scenario in process: Fulcrum is changed behind the daemon's reconciler (member x and
 * group "Ops" deleted by hand, then recreated and relinked by a second reconciler on the same
 * database, as the command-line resync did) while the daemon still holds its older cached lists.
 * Whatever Okta does next must land on the recreated entities, and a deactivation must leave no
 * membership behind.
 */
class SecondWriterTest extends EndToEnd {
  static final String X = "x@corp.example";

  /** What the first push made and what the second writer made in its place. */
  record Recreated(String user, String group, String firstMember, String firstGroup, String member, String groupId) {}

  Recreated recreatedBehindTheDaemonsBack() {
    String x = h.okta.user(X, "Xena", "Young", null);
    String ops = h.okta.group("Ops", List.of(x));
    h.settle();
    String firstMember = inFulcrum(X).id();
    String firstGroup = groupNamed("Ops").id();
    h.http.deleteGroup(firstGroup);
    h.http.deleteMember(firstMember, null);
    ReconcileWiring second = h.newWiring(h.http);
    try {
      new Resync(h.http, h.db, h.options().settings(), h.clock, h.clock::tick).apply(second, Progress.NONE, 0);
    } finally {
      second.loop().close();
    }
    Recreated r = new Recreated(x, ops, firstMember, firstGroup, inFulcrum(X).id(), groupNamed("Ops").id());
    assertThat(r.member()).as("member recreated by the second writer").isNotEqualTo(firstMember);
    assertThat(r.groupId()).as("group recreated by the second writer").isNotEqualTo(firstGroup);
    return r;
  }

  /** Okta's next changes, made while the daemon's cached lists still predate the second writer. */
  void renameOpsAndChangeXsFamilyName(Recreated r) {
    h.okta.setGroup(r.group(), "Ops Team", List.of(r.user()));
    h.okta.set(r.user(), "family_name", "Young-Ray");
    h.settle();
  }

  @Test
  void oktaChangesAfterASecondWriterRecreatedXLandOnTheRecreatedMemberAndGroup() {
    start();
    Recreated r = recreatedBehindTheDaemonsBack();
    renameOpsAndChangeXsFamilyName(r);

    assertThat(h.fulcrum.groups()).extracting(FulcrumGroup::name).doesNotContain("Ops").containsOnlyOnce("Ops Team");
    assertThat(groupNamed("Ops Team").id()).isEqualTo(r.groupId());
    assertThat(h.row(ResourceKey.user(r.user())).state()).isEqualTo(WorkState.DONE);
    assertThat(inFulcrum(X).lastName()).isEqualTo("Young-Ray");
    assertThat(DesiredVsActual.differences(h.db, h.fulcrum, Set.copyOf(UNMANAGED))).isEmpty();
  }

  @Test
  void deactivatingXAfterASecondWriterRecreatedItRemovesTheRecreatedMemberAndAuditsEveryUnlink() {
    start();
    Recreated r = recreatedBehindTheDaemonsBack();
    renameOpsAndChangeXsFamilyName(r);
    h.okta.set(r.user(), "active", 0);
    h.settle();

    assertThat(h.fulcrum.memberByEmail(X)).isEmpty();
    assertThat(h.row(ResourceKey.user(r.user())).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, r.user())).isEmpty();
    assertThat(unlinks()).containsExactly(
        tuple(ResourceKey.user(r.user()), r.firstMember()),
        tuple(ResourceKey.group(r.group()), r.firstGroup()),
        tuple(ResourceKey.user(r.user()), r.member()));
    assertThat(h.rereads()).as("single reads that confirmed the stale cached lists").isPositive();
  }

  @Test
  void oktaDeletingTheGroupAfterASecondWriterRecreatedItDeletesTheRecreatedGroup() {
    start();
    Recreated r = recreatedBehindTheDaemonsBack();
    h.okta.deleteGroup(r.group());
    h.okta.set(r.user(), "active", 0);
    h.settle();

    assertThat(h.fulcrum.group(r.groupId())).isEmpty();
    assertThat(h.fulcrum.memberByEmail(X)).isEmpty();
    assertThat(h.row(ResourceKey.group(r.group())).state()).isEqualTo(WorkState.DONE);
    assertThat(unlinks()).containsExactlyInAnyOrder(
        tuple(ResourceKey.user(r.user()), r.firstMember()),
        tuple(ResourceKey.group(r.group()), r.firstGroup()),
        tuple(ResourceKey.group(r.group()), r.groupId()),
        tuple(ResourceKey.user(r.user()), r.member()));
  }

  @Test
  void withAdoptExistingTheDaemonStillUpdatesAndRemovesTheRecreatedMemberWithoutAdoptingTwice() {
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.adopting()));
    Recreated r = recreatedBehindTheDaemonsBack();
    renameOpsAndChangeXsFamilyName(r);
    assertThat(inFulcrum(X).lastName()).isEqualTo("Young-Ray");
    assertThat(h.fulcrum.groups()).extracting(FulcrumGroup::name).doesNotContain("Ops").containsOnlyOnce("Ops Team");
    h.okta.set(r.user(), "active", 0);
    h.settle();

    assertThat(h.fulcrum.memberByEmail(X)).isEmpty();
    assertThat(h.row(ResourceKey.user(r.user())).state()).isEqualTo(WorkState.DONE);
    assertThat(new AuditLog(h.db, h.clock).list(null, 100)).filteredOn(e -> e.action().equals("LINK")).isEmpty();
  }

  @Test
  void aRemovalWhoseAnswersAreLostKeepsItsLinkAndIsNotDoneUntilFulcrumConfirmsTheMemberGone() {
    start();
    String x = h.okta.user(X, "Xena", "Young", null);
    h.settle();
    String member = inFulcrum(X).id();
    h.okta.set(x, "active", 0);
    h.fulcrum.faults().lostResponseShare(1.0);
    h.runOnce();

    assertThat(h.row(ResourceKey.user(x)).state()).isNotEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, x)).as("link kept while the removal is unconfirmed").isPresent();
    assertThat(unlinks()).isEmpty();

    h.fulcrum.faults().clear();
    h.settle();
    assertThat(h.fulcrum.memberByEmail(X)).isEmpty();
    assertThat(h.row(ResourceKey.user(x)).state()).isEqualTo(WorkState.DONE);
    assertThat(unlinks()).containsExactly(tuple(ResourceKey.user(x), member));
  }

  @Test
  void manyDoubtsInOneCycleCostOneGetThenOneFreshListNotAGetEach() {
    start();
    List<String> users = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      users.add(h.okta.user("p" + i + "@corp.example", "P", "No" + i, null));
    }
    h.settle();
    h.fulcrum.members().stream().filter(m -> m.email().startsWith("p")).forEach(m -> h.http.deleteMember(m.id(), null));
    ReconcileWiring second = h.newWiring(h.http);
    users.forEach(u -> h.queue.enqueue(ResourceKey.user(u)));
    while (second.loop().runOnce().claimed() > 0) {
      // the second writer recreates and relinks all five
    }
    second.loop().close();
    users.forEach(u -> h.okta.set(u, "active", 0));
    h.fulcrum.calls().reset();
    long rereadsBefore = h.rereads();
    h.settle();

    // one GET, then one fresh list for the doubts; one list read after the five deletes confirms them
    assertThat(calls("GET /api/v2/memberships/{id}.json")).isEqualTo(1);
    assertThat(calls("GET /api/v2/memberships.json")).isEqualTo(1 + 1);
    assertThat(calls("DELETE /api/v2/memberships/{id}.json")).isEqualTo(5);
    assertThat(h.rereads() - rereadsBefore).isEqualTo(2 + 1);
    assertThat(h.fulcrum.members()).noneMatch(m -> m.email().startsWith("p"));
    assertThat(users).allSatisfy(u -> assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.DONE));
  }

  /** A second writer's reconciler runs the due keys with {@code client}, which dies after a create as its process would. */
  void secondWriterDiesAfterItsCreate() {
    ReconcileWiring second = h.newWiring(UserPushTest.crashAfterCreate(h.http));
    try {
      second.loop().runOnce();
    } finally {
      second.loop().close();
    }
  }

  @Test
  void aMemberASecondWriterCreatedButNeverLinkedIsRemovedWhenOktaDeletesTheUserWhileTheDaemonsListPredatesIt() {
    start();
    h.okta.user("warm@corp.example", "Warm", "Up", null);
    h.settle(); // the daemon's member list is read, and young
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    secondWriterDiesAfterItsCreate();
    assertThat(membersIn("ada@corp.example")).as("made by the second writer, never linked").isEqualTo(1);

    h.okta.deleteUser(ada);
    h.settle();

    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).isEmpty();
    assertThat(new IntentStore(h.db).all(EntityType.USER)).isEmpty();
    assertThat(new AuditLog(h.db, h.clock).list(null, 100)).anySatisfy(a -> {
      assertThat(a.key()).isEqualTo(ResourceKey.user(ada));
      assertThat(a.action()).isEqualTo("REMOVE_MEMBER");
      assertThat(a.result()).isEqualTo("ok");
    });
  }

  @Test
  void aGroupASecondWriterCreatedButNeverLinkedIsDeletedWhenOktaDeletesItWhileTheDaemonsListPredatesIt() {
    start();
    h.okta.group("Warm", List.of());
    h.settle(); // the daemon's group list is read, and young
    String ops = h.okta.group("Ops", List.of());
    h.groupChangesSettle();
    secondWriterDiesAfterItsCreate();
    String made = groupNamed("Ops").id();

    h.okta.deleteGroup(ops);
    h.settle();

    assertThat(h.fulcrum.group(made)).isEmpty();
    assertThat(new IntentStore(h.db).all(EntityType.GROUP)).isEmpty();
  }

  @Test
  void aCreateASecondWriterLeftUnlinkedIsLinkedNotMadeTwiceWhileTheDaemonsListPredatesIt() {
    start();
    h.okta.user("warm@corp.example", "Warm", "Up", null);
    h.settle();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    secondWriterDiesAfterItsCreate();
    h.fulcrum.calls().reset();

    h.settle();

    assertThat(calls("POST /api/v2/memberships.json")).isZero();
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada).orElseThrow().fulcrumId())
        .isEqualTo(inFulcrum("ada@corp.example").id());
  }

  private List<org.assertj.core.groups.Tuple> unlinks() {
    return new AuditLog(h.db, h.clock).list(null, 1000).stream()
        .filter(e -> e.action().equals("UNLINK"))
        .sorted(java.util.Comparator.comparingLong(AuditEntry::id))
        .map(e -> tuple(e.key(), e.fulcrumId())).toList();
  }
}
