package com.fulcrumscim.resync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.fulcrum.emulator.CallCounter;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.reconcile.LinkStore;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.testing.ReconcileHarness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resync against the real emulator, client and SQLite: drift is made by hand in Fulcrum (through
 * its API, as an admin in the UI would), found, and fixed through the reconciler's own path. The
 * seeded unmanaged members and group are byte-identical after every test.
 */
class ResyncTest {
  static final List<String> UNMANAGED = List.of("m-taken", "m-bystander", "g-crew");

  @TempDir Path dir;
  ReconcileHarness h;
  ReconcileSettings settings;
  ReconcileWiring path;
  Resync resync;
  String unmanagedBefore;

  @BeforeEach
  void start() {
    h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults());
    settings = ReconcileHarness.Options.defaults().settings();
    path = h.newWiring(h.http);
    resync = new Resync(h.http, h.db, settings, h.clock, h.clock::tick);
    unmanagedBefore = unmanaged();
  }

  @AfterEach
  void unmanagedEntitiesAreUntouched() {
    try {
      assertThat(unmanaged()).as("unmanaged members and group").isEqualTo(unmanagedBefore);
    } finally {
      path.loop().close();
      h.close();
    }
  }

  private String unmanaged() {
    List<String> ids = new ArrayList<>(UNMANAGED);
    ids.add(h.fulcrum.ownerMembershipId());
    return h.fulcrum.snapshotJson(ids);
  }

  ResyncReport apply() {
    return resync.apply(path, Progress.NONE);
  }

  FulcrumMember member(String email) {
    return h.fulcrum.memberByEmail(email).orElseThrow(() -> new AssertionError("no member " + email));
  }

  FulcrumGroup group(String name) {
    return h.fulcrum.groups().stream().filter(g -> g.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no group " + name));
  }

  String roleId(String name) {
    return h.fulcrum.roles().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow().id();
  }

  /** An admin edits Fulcrum by hand; the calls it takes are not the bridge's. */
  void byHand(Runnable edit) {
    edit.run();
    h.fulcrum.calls().reset();
  }

  @Test
  void aSettledOrganizationHasNoDrift() {
    h.okta.group("Ops", List.of(h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager")));
    h.settle();
    ResyncReport report = resync.dryRun();
    assertThat(report.plan()).isEmpty();
    assertThat(report.driftRemains()).isFalse();
    assertThat(report.totals().checked()).isEqualTo(2);
  }

  @Test
  void aManagedMemberRemovedInFulcrumIsRecreatedAndRelinked() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    String oldId = member("ada@corp.example").id();
    byHand(() -> h.http.deleteMember(oldId, null));

    ResyncReport report = apply();

    assertThat(report.plan()).singleElement().satisfies(d -> {
      assertThat(d.entity()).isEqualTo("user ada@corp.example");
      assertThat(d.fulcrumHas()).isEqualTo("missing (link to " + oldId + " is stale)");
      assertThat(d.action()).isEqualTo("recreate");
    });
    String newId = member("ada@corp.example").id();
    assertThat(newId).isNotEqualTo(oldId);
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada).orElseThrow().fulcrumId()).isEqualTo(newId);
    assertThat(report.remaining()).isEmpty();
    assertThat(report.totals().fixed()).isEqualTo(1);
  }

  @Test
  void namesEmailAndRoleChangedInFulcrumAreShownAndRevertedWithOneUpdate() {
    h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    h.settle();
    String id = member("ada@corp.example").id();
    byHand(() -> h.http.updateMember(id, new MemberFields("ada@elsewhere.example", "Adda", "Byron", roleId("Record Creator"))));

    ResyncReport report = apply();

    assertThat(report.plan()).extracting(Drift::field, Drift::fulcrumHas, Drift::oktaWants, Drift::action).containsExactly(
        tuple("email", "ada@elsewhere.example", "ada@corp.example", "update"),
        tuple("first_name", "Adda", "Ada", "update"),
        tuple("last_name", "Byron", "Lovelace", "update"),
        tuple("role", "Record Creator", "Manager", "update"));
    FulcrumMember ada = h.fulcrum.member(id).orElseThrow();
    assertThat(List.of(ada.email(), ada.firstName(), ada.lastName(), ada.roleName()))
        .containsExactly("ada@corp.example", "Ada", "Lovelace", "Manager");
    assertThat(h.fulcrum.calls().count("PUT /api/v2/memberships/{id}.json")).isEqualTo(1);
    assertThat(report.remaining()).isEmpty();
  }

  @Test
  void groupMembersEditedInFulcrumAreRevertedBecauseOktaOwnsThem() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    String bob = h.okta.user("bob@corp.example", "Bob", "Babbage", null);
    h.okta.group("Ops", List.of(ada, bob));
    h.settle();
    FulcrumGroup ops = group("Ops");
    String adaId = member("ada@corp.example").id();
    byHand(() -> h.http.changeGroupMembers(ops.id(), List.of("m-bystander"), List.of(adaId)));

    ResyncReport report = apply();

    assertThat(report.plan()).extracting(Drift::entity, Drift::fulcrumHas, Drift::oktaWants, Drift::action).containsExactly(
        tuple("group Ops", "bystander@corp.example", "not members", "remove (Okta owns the members)"),
        tuple("group Ops", "not members", "ada@corp.example", "add"));
    assertThat(group("Ops").memberIds()).containsExactlyInAnyOrder(adaId, member("bob@corp.example").id());
    assertThat(report.remaining()).isEmpty();
  }

  @Test
  void aManagedGroupRenamedInFulcrumIsRenamedBack() {
    h.okta.group("Ops", List.of(h.okta.user("ada@corp.example", "Ada", "Lovelace", null)));
    h.settle();
    String id = group("Ops").id();
    byHand(() -> h.http.renameGroup(id, "Operations (renamed by hand)"));

    ResyncReport report = apply();

    assertThat(report.plan()).extracting(Drift::field, Drift::fulcrumHas, Drift::oktaWants, Drift::action)
        .containsExactly(tuple("name", "Operations (renamed by hand)", "Ops", "rename back"));
    assertThat(h.fulcrum.group(id).orElseThrow().name()).isEqualTo("Ops");
  }

  @Test
  void aManagedGroupDeletedInFulcrumIsRecreatedWithItsMembers() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.okta.group("Ops", List.of(ada));
    h.settle();
    String oldId = group("Ops").id();
    byHand(() -> h.http.deleteGroup(oldId));

    ResyncReport report = apply();

    assertThat(report.plan()).extracting(Drift::action).containsExactly("recreate");
    FulcrumGroup again = group("Ops");
    assertThat(again.id()).isNotEqualTo(oldId);
    assertThat(again.memberIds()).containsExactly(member("ada@corp.example").id());
    assertThat(report.remaining()).isEmpty();
  }

  @Test
  void aLinkToAMemberThatNoLongerExistsIsForgottenWhenOktaNoLongerWantsTheUser() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    String id = member("ada@corp.example").id();
    byHand(() -> h.http.deleteMember(id, null));
    h.okta.deleteUser(ada);

    assertThat(resync.dryRun().plan()).extracting(Drift::entity, Drift::fulcrumHas, Drift::action)
        .containsExactly(tuple("user " + ada, "member " + id + " gone", "forget the stale link"));
    ResyncReport report = apply();

    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isEmpty();
    assertThat(report.remaining()).isEmpty();
  }

  @Test
  void anUnmanagedMemberWithAManagedUsersEmailIsReportedAndNeverTouched() {
    h.okta.user("TAKEN@corp.example", "Tak", "En", null);
    h.settle();
    h.fulcrum.calls().reset();

    ResyncReport report = apply();

    assertThat(report.plan()).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo(Drift.Kind.COLLISION);
      assertThat(d.fulcrumHas()).isEqualTo("unmanaged member Taken@corp.example (m-taken)");
      assertThat(d.action()).startsWith("report only");
    });
    assertThat(report.totals().collisions()).isEqualTo(1);
    assertThat(report.driftRemains()).isTrue();
    assertThat(writes(h.fulcrum.calls())).isEmpty();
  }

  @Test
  void aDryRunOnlyReadsFulcrumFourTimesAndQueuesNothing() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.okta.group("Ops", List.of(ada));
    h.settle();
    String id = member("ada@corp.example").id();
    byHand(() -> {
      h.http.updateMember(id, new MemberFields(null, "Adda", null, null));
      h.http.renameGroup(group("Ops").id(), "Renamed");
    });
    String before = h.fulcrum.snapshotJson();

    ResyncReport report = resync.dryRun();

    assertThat(report.plan()).hasSize(2);
    assertThat(report.driftRemains()).isTrue();
    assertThat(h.fulcrum.calls().total()).isEqualTo(4);
    assertThat(writes(h.fulcrum.calls())).isEmpty();
    assertThat(h.fulcrum.snapshotJson()).isEqualTo(before);
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void resyncReadsFulcrumAHandfulOfTimesHoweverManyUsersDrifted() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(h.okta.user("user" + i + "@corp.example", "User", "N" + i, null));
    }
    h.settle();
    byHand(() -> h.fulcrum.members().stream().filter(m -> m.email().startsWith("user"))
        .forEach(m -> h.http.updateMember(m.id(), new MemberFields(null, "Changed", null, null))));

    ResyncReport report = apply();

    assertThat(report.totals().fixed()).isEqualTo(30);
    assertThat(h.fulcrum.calls().count("GET /api/v2/memberships.json")).isLessThanOrEqualTo(3);
    assertThat(h.fulcrum.calls().count("PUT /api/v2/memberships/{id}.json")).isEqualTo(30);
  }

  @Test
  void aKeyTheDaemonIsReconcilingIsSkippedAndReported() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    String id = member("ada@corp.example").id();
    byHand(() -> h.http.updateMember(id, new MemberFields(null, "Adda", null, null)));
    h.queue.enqueue(ResourceKey.user(ada));
    var running = h.queue.claim(1).get(0); // the daemon holds it

    ResyncReport report = apply();

    assertThat(report.skipped()).containsExactly("user/" + ada + ": the daemon is reconciling it right now");
    assertThat(member("ada@corp.example").firstName()).isEqualTo("Adda");
    assertThat(report.driftRemains()).isTrue();
    h.queue.release(running);
  }

  @Test
  void anUnknownRoleIsBlockedAndNotQueued() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.okta.set(ada, "role", "Astronaut");
    h.settle();

    ResyncReport report = resync.dryRun();

    assertThat(report.plan()).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo(Drift.Kind.BLOCKED);
      assertThat(d.action()).contains("role 'Astronaut' is not a Fulcrum role");
    });
    assertThat(report.totals().toFix()).isZero();
  }

  static List<String> writes(CallCounter calls) {
    return calls.all().stream().map(CallCounter.CallCount::endpoint).filter(e -> !e.startsWith("GET ")).toList();
  }
}
