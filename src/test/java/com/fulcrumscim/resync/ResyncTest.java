package com.fulcrumscim.resync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fulcrumscim.control.OperatorActions;
import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.Watch;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.fulcrum.emulator.CallCounter;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.reconcile.AuditEntry;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.reconcile.LinkStore;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ClientDoubles;
import com.fulcrumscim.testing.ReconcileHarness;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resync against the real emulator, client and SQLite: drift is made by hand in Fulcrum (through
 * its API, as an admin in the UI would), found, and fixed through the reconciler's own path. The
 * seeded unmanaged members and group are byte-identical after every test.
 */
class ResyncTest {
  static final List<String> UNMANAGED = List.of("m-taken", "m-bystander", "g-crew");

  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
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
    return resync.apply(path, Progress.NONE, 0);
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
    ResyncReport report = resync.dryRun(Progress.NONE);
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
  void aRoleOktaNoLongerNamesIsShownByADryRunAsTakenBackToTheDefaultRoleAndTakenBackByAnApply() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    h.settle();
    h.okta.replaceUser(ada, "ada@corp.example", "Ada", "Lovelace", null);

    ResyncReport dryRun = resync.dryRun(Progress.NONE);

    assertThat(dryRun.plan()).extracting(Drift::field, Drift::fulcrumHas, Drift::oktaWants, Drift::action).containsExactly(
        tuple("role", "Manager", "Standard User (the default role)",
            "take back: Okta names no role now, and the bridge gave this one"));
    assertThat(member("ada@corp.example").roleName()).as("a dry run changes nothing").isEqualTo("Manager");
    apply();
    assertThat(member("ada@corp.example").roleName()).isEqualTo("Standard User");
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

  /**
   * Someone invites X and puts them in a managed group by hand after resync read the member list and
   * before it read the groups: X is no deleted member's leftover id but a person Okta does not want
   * there (review-s10b F3).
   */
  @Test
  void aPersonPutInAManagedGroupByHandBetweenResyncsListReadsIsShownAndTakenOut() {
    String opsId = adaInOps();
    AtomicInteger groupReads = new AtomicInteger();
    FulcrumClient editedMeanwhile = (FulcrumClient) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {FulcrumClient.class}, (proxy, m, args) -> {
          if (m.getName().equals("groups") && groupReads.incrementAndGet() == 1) {
            String x = h.http.createMember(new MemberFields("x@corp.example", "X", "ByHand", null)).id();
            h.http.changeGroupMembers(opsId, List.of(x), List.of());
          }
          try {
            return m.invoke(h.http, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    resync = new Resync(editedMeanwhile, h.db, settings, h.clock, h.clock::tick);

    ResyncReport report = apply();

    assertThat(report.plan()).extracting(Drift::entity, Drift::fulcrumHas, Drift::oktaWants, Drift::action)
        .containsExactly(tuple("group Ops", "x@corp.example", "not members", "remove (Okta owns the members)"));
    assertThat(group("Ops").memberIds()).containsExactly(member("ada@corp.example").id());
  }

  /**
   * Ada's removal retries (a proxy eats DELETEs) and she is in managed group Ops again (put back by
   * hand): the dry run shows the group's drift, as the reconciler takes her out (review-s15a F1).
   */
  @Test
  void aDryRunShowsALeaverWhoseRemovalRetriesInAManagedGroupAsTheGroupsDrift() {
    String opsId = adaInOps();
    String ada = member("ada@corp.example").id();
    String adaKey = new LinkStore(h.db).scimIdOf(EntityType.USER, ada).orElseThrow();
    h.fulcrum.faults().deletesIgnored(true);
    h.okta.set(adaKey, "active", 0);
    h.runOnce();
    h.runOnce();
    assertThat(h.row(ResourceKey.user(adaKey)).state()).isEqualTo(WorkState.RETRYING);
    h.http.changeGroupMembers(opsId, List.of(ada), List.of());

    ResyncReport report = resync.dryRun(Progress.NONE);

    assertThat(report.plan()).filteredOn(d -> d.entity().equals("group Ops"))
        .extracting(Drift::fulcrumHas, Drift::oktaWants, Drift::action)
        .containsExactly(tuple("ada@corp.example", "not members", "remove (Okta owns the members)"));
  }

  /** Ada in Okta group Ops, pushed; returns Ops' Fulcrum id. */
  String adaInOps() {
    h.okta.group("Ops", List.of(h.okta.user("ada@corp.example", "Ada", "Lovelace", null)));
    h.settle();
    return group("Ops").id();
  }

  @Test
  void aManagedGroupRenamedInFulcrumIsRenamedBack() {
    String id = adaInOps();
    byHand(() -> h.http.renameGroup(id, "Operations (renamed by hand)"));

    ResyncReport report = apply();

    assertThat(report.plan()).extracting(Drift::field, Drift::fulcrumHas, Drift::oktaWants, Drift::action)
        .containsExactly(tuple("name", "Operations (renamed by hand)", "Ops", "rename back"));
    assertThat(h.fulcrum.group(id).orElseThrow().name()).isEqualTo("Ops");
  }

  @Test
  void aManagedGroupDeletedInFulcrumIsRecreatedWithItsMembers() {
    String oldId = adaInOps();
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

    assertThat(resync.dryRun(Progress.NONE).plan()).extracting(Drift::entity, Drift::fulcrumHas, Drift::action)
        .containsExactly(tuple("user ada@corp.example", "member " + id + " gone", "forget the stale link"));
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

  /**
   * Okta deactivated the user and the bridge removed its member; later an admin invites the same
   * email by hand. Nothing links that member, and the user is inactive, so only resync can say the
   * person has access again: reported, never touched.
   */
  @Test
  void aMemberInvitedByHandWithADeactivatedUsersEmailIsReportedAsKeepingAccess() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    FulcrumMember byHand = invitedByHandOnceDeactivated(ada);

    ResyncReport report = apply();

    assertThat(report.plan()).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo(Drift.Kind.COLLISION);
      assertThat(d.key()).isEqualTo("user/" + ada);
      assertThat(d.fulcrumHas()).isEqualTo("unmanaged member ada@corp.example (" + byHand.id() + ")");
      assertThat(d.action()).startsWith("report only").contains("not managed by the bridge, still has access")
          .contains("remove it in Fulcrum").doesNotContain("journal retry");
    });
    assertThat(report.totals().collisions()).isEqualTo(1);
    assertThat(report.driftRemains()).isTrue();
    assertThat(writes(h.fulcrum.calls())).isEmpty();
    assertThat(h.fulcrum.member(byHand.id()).orElseThrow().lastName()).isEqualTo("ByHand");
  }

  /** review-s16a F6: "Checked 1 managed users and groups" counted the leaver, whom nothing links any more. */
  @Test
  void aDeactivatedUserReportedForAMemberInvitedByHandIsNotCountedAsAManagedUserChecked() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    invitedByHandOnceDeactivated(ada);

    ResyncReport report = resync.dryRun(Progress.NONE);

    assertThat(report.plan()).isNotEmpty();
    assertThat(report.totals().checked()).isZero();
  }

  /**
   * As above, but Okta pushed the person again under a new id: the member with the deactivated
   * user's email is the new user's, reported once, as that user's collision, not as keeping access.
   */
  @Test
  void aMemberWithADeactivatedUsersEmailThatAnActiveUserHasIsReportedOnlyAsThatUsersCollision() {
    FulcrumMember byHand = invitedByHandOnceDeactivated(h.okta.user("ada@corp.example", "Ada", "Lovelace", null));
    String again = h.okta.userNamed("ada.lovelace", "ada@corp.example", "Ada", "Lovelace", null);

    ResyncReport report = resync.dryRun(Progress.NONE);

    assertThat(report.plan()).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo(Drift.Kind.COLLISION);
      assertThat(d.key()).isEqualTo("user/" + again);
      assertThat(d.fulcrumHas()).isEqualTo("unmanaged member ada@corp.example (" + byHand.id() + ")");
      assertThat(d.action()).doesNotContain("still has access");
    });
  }

  /** A dry run reports {@code ada}'s collision with {@code byHand}: the person Okta took away still has access. */
  void dryRunReportsKeepingAccess(String ada, FulcrumMember byHand) {
    assertThat(resync.dryRun(Progress.NONE).plan()).anySatisfy(d -> {
      assertThat(d.kind()).isEqualTo(Drift.Kind.COLLISION);
      assertThat(d.key()).isEqualTo("user/" + ada);
      assertThat(d.fulcrumHas()).isEqualTo("unmanaged member ada@corp.example (" + byHand.id() + ")");
      assertThat(d.action()).contains("still has access");
    });
  }

  /**
   * As above, but the address is given to a new hire 20 days after the leave: not the person pushed
   * again (review-s6a F1), so the member invited by hand is still reported as keeping the access Okta
   * took from Ada, not left to the new hire.
   */
  @Test
  void aMemberWithADeactivatedUsersEmailThatANewHireWasGivenDaysLaterIsReportedAsKeepingAccess() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    FulcrumMember byHand = invitedByHandOnceDeactivated(ada);
    h.clock.tick(Duration.ofDays(20));
    h.okta.userNamed("ada.byron", "ada@corp.example", "Adeline", "Byron", null);

    dryRunReportsKeepingAccess(ada, byHand);
  }

  /**
   * As above, but Ada's address was changed while she was disabled, to free it (review-s8b F1): the
   * member invited by hand with the address she left with is still reported as keeping access.
   */
  @Test
  void aMemberWithTheAddressADeactivatedUserLeftWithIsReportedAsKeepingAccessAfterItsAddressChanged() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    FulcrumMember byHand = invitedByHandOnceDeactivated(ada);
    h.okta.set(ada, "email", "ada.old@corp.example");

    dryRunReportsKeepingAccess(ada, byHand);
  }

  /**
   * Okta deleted the user (a SCIM DELETE) and the bridge removed its member; later an admin invites
   * the same email by hand. The deleted user's tombstone outlives the removal, so resync still finds
   * that person, as for a deactivated user.
   */
  @Test
  void aMemberInvitedByHandWithADeletedUsersEmailIsReportedAsKeepingAccess() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.okta.deleteUser(ada);
    h.settle();
    FulcrumMember[] byHand = new FulcrumMember[1];
    byHand(() -> byHand[0] = h.http.createMember(new MemberFields("ada@corp.example", "Ada", "ByHand", null)));

    ResyncReport report = apply();

    assertThat(report.plan()).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo(Drift.Kind.COLLISION);
      assertThat(d.keepsAccess()).isTrue();
      assertThat(d.key()).isEqualTo("user/" + ada);
      assertThat(d.entity()).isEqualTo("user ada@corp.example");
      assertThat(d.oktaWants()).isEqualTo("gone (deleted in Okta)");
      assertThat(d.action()).contains("the user was deleted in Okta").contains(byHand[0].id()).contains("still has access")
          .doesNotContain("journal retry");
    });
    assertThat(report.totals().keepsAccess()).isEqualTo(1);
    assertThat(writes(h.fulcrum.calls())).isEmpty();
  }

  /**
   * A user whose push failed on a member invited by hand before Okta assigned the email, then
   * deactivated or deleted: its row is DEAD, and resync reports the member as keeping access, with
   * the retry that finishes the row once it is removed.
   */
  @Test
  void aDeprovisionedUserWhosePushFailedOnAMemberInvitedByHandIsReportedAsKeepingAccessWithTheRetry() {
    String taken = h.okta.user("taken@corp.example", "Hand", "Made", null);
    h.settle();
    h.okta.deleteUser(taken);
    h.settle();
    assertThat(h.row(ResourceKey.user(taken)).state()).isEqualTo(WorkState.DEAD);
    h.fulcrum.calls().reset();

    ResyncReport report = apply();

    assertThat(report.plan()).singleElement().satisfies(d -> {
      assertThat(d.keepsAccess()).isTrue();
      assertThat(d.fulcrumHas()).isEqualTo("unmanaged member Taken@corp.example (m-taken)");
      assertThat(d.action()).contains("the user was deleted in Okta").contains("still has access")
          .contains("journal retry user/" + taken);
    });
    assertThat(writes(h.fulcrum.calls())).isEmpty();
  }

  /**
   * An apply keeps how many people it found keeping access (status and a gauge read it) and logs
   * an ERROR line for each; once the member is removed by hand, the next apply clears the count.
   */
  @Test
  void anApplyCountsThePeopleKeepingAccessAndLogsEachAsAnError() {
    FulcrumMember byHand = invitedByHandOnceDeactivated(h.okta.user("ada@corp.example", "Ada", "Lovelace", null));

    apply();

    assertThat(Resync.keepingAccess(new SettingStore(h.db))).isEqualTo(1);
    assertThat(logs.events()).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
        .extracting(e -> e.getFormattedMessage()).filteredOn(m -> m.startsWith("resync: ")).singleElement()
        .satisfies(m -> assertThat(m).startsWith("resync: user ada@corp.example keeps access: ").contains(byHand.id())
            .contains("still has access"));

    byHand(() -> h.http.deleteMember(byHand.id(), null));
    apply();

    assertThat(Resync.keepingAccess(new SettingStore(h.db))).isZero();
  }

  /** status says which apply its Keeping-access count comes from: a dry run since may no longer find the person. */
  @Test
  void anApplyKeepsWhenItCountedThePeopleKeepingAccessAndADryRunLeavesIt() {
    invitedByHandOnceDeactivated(h.okta.user("ada@corp.example", "Ada", "Lovelace", null));
    apply();
    java.time.Instant applied = h.clock.instant();
    h.clock.tick(java.time.Duration.ofHours(2));

    resync.dryRun(Progress.NONE);

    assertThat(Resync.keepingAccessAt(new SettingStore(h.db))).contains(applied);
  }

  /** {@code ada} pushed, then deactivated and her member removed; an admin then invites her email by hand. */
  private FulcrumMember invitedByHandOnceDeactivated(String ada) {
    h.settle();
    h.okta.set(ada, "active", 0);
    h.settle();
    FulcrumMember[] byHand = new FulcrumMember[1];
    byHand(() -> byHand[0] = h.http.createMember(new MemberFields("ada@corp.example", "Ada", "ByHand", null)));
    return byHand[0];
  }

  /**
   * The deactivation met a member invited again by hand and is DEAD, its stale link kept: resync
   * reports the member that keeps access, and the retry that finishes the deactivation once it is gone.
   */
  @Test
  void aDeactivationDeadOnAMemberInvitedAgainByHandIsReportedWithTheRetryThatFinishesIt() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    FulcrumMember byHand = deadOnAMemberInvitedAgainByHand(ada, () -> h.okta.set(ada, "active", 0));

    ResyncReport report = apply();

    assertThat(report.plan()).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo(Drift.Kind.COLLISION);
      assertThat(d.fulcrumHas()).contains(byHand.id());
      assertThat(d.action()).contains("still has access").contains("journal retry user/" + ada);
    });
    assertThat(writes(h.fulcrum.calls())).isEmpty();
  }

  /**
   * Ada's deactivation DEAD on her member invited again by hand; that member removed by hand since,
   * and her address given to a new hire invited by hand: the new hire's member is not reported as
   * Ada's access to remove, but as maybe another person's (review-s8g F1, the resync half).
   */
  @Test
  void aMemberUnderADeadLeaversAddressOtherThanTheOneItStoppedOnIsNotReportedAsItsAccessToRemove() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    FulcrumMember byHand = deadOnAMemberInvitedAgainByHand(ada, () -> h.okta.set(ada, "active", 0));

    reportsTheNewHiresMemberAsMaybeAnotherPersons(byHand, newHireInvitedByHandInPlaceOf(byHand));
  }

  /** The same with Ada's DEAD change set aside (`journal skip`) before her member was removed (review-s9c F3). */
  @Test
  void aMemberUnderASetAsideLeaversAddressOtherThanTheOneItStoppedOnIsNotReportedAsItsAccessToRemove() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    FulcrumMember byHand = deadOnAMemberInvitedAgainByHand(ada, () -> h.okta.set(ada, "active", 0));
    assertThat(h.queue.skip(ResourceKey.user(ada), h.row(ResourceKey.user(ada)).generation())).isTrue();

    reportsTheNewHiresMemberAsMaybeAnotherPersons(byHand, newHireInvitedByHandInPlaceOf(byHand));
  }

  /** {@code byHand} removed by hand, and the address given to a new hire invited by hand: that member. */
  private FulcrumMember newHireInvitedByHandInPlaceOf(FulcrumMember byHand) {
    FulcrumMember[] hers = new FulcrumMember[1];
    byHand(() -> {
      h.http.deleteMember(byHand.id(), null);
      hers[0] = h.http.createMember(new MemberFields("ada@corp.example", "Adeline", "Byron", null));
    });
    return hers[0];
  }

  private void reportsTheNewHiresMemberAsMaybeAnotherPersons(FulcrumMember byHand, FulcrumMember hers) {
    assertThat(resync.dryRun(Progress.NONE).plan()).singleElement().satisfies(d -> {
      assertThat(d.fulcrumHas()).contains(hers.id());
      assertThat(d.action()).contains("stopped on Fulcrum member " + byHand.id()).contains("may be another person's")
          .doesNotContain("remove it in Fulcrum").doesNotContain("journal retry");
      assertThat(d.keepsAccess()).isTrue();
    });
  }

  /** As for a deactivation: a delete DEAD on a member invited again by hand is reported, with the retry, and nothing is written. */
  @Test
  void aDeleteDeadOnAMemberInvitedAgainByHandIsReportedWithTheRetryThatFinishesIt() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    FulcrumMember byHand = deadOnAMemberInvitedAgainByHand(ada, () -> h.okta.deleteUser(ada));

    ResyncReport report = apply();

    assertThat(report.plan()).singleElement().satisfies(d -> {
      assertThat(d.key()).isEqualTo("user/" + ada);
      assertThat(d.action()).contains("the user was deleted in Okta").contains(byHand.id()).contains("still has access")
          .contains("journal retry user/" + ada);
    });
    assertThat(report.driftRemains()).isTrue();
    assertThat(writes(h.fulcrum.calls())).isEmpty();
  }

  /**
   * Ada pushed; her member removed and invited again by hand, the cached list aged; then Okta takes
   * her away ({@code leave}) and her row ends DEAD on the member made by hand. Calls counted from here.
   */
  private FulcrumMember deadOnAMemberInvitedAgainByHand(String ada, Runnable leave) {
    h.settle();
    FulcrumMember[] byHand = new FulcrumMember[1];
    byHand(() -> {
      h.http.deleteMember(member("ada@corp.example").id(), null);
      byHand[0] = h.http.createMember(new MemberFields("ada@corp.example", "Ada", "ByHand", null));
    });
    h.clock.tick(java.time.Duration.ofMinutes(10));
    leave.run();
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DEAD);
    h.fulcrum.calls().reset();
    return byHand[0];
  }

  /**
   * A deactivated user's own member (its email changed by hand) is still removed by resync's fix,
   * beside the member invited by hand with the user's email, reported as keeping access.
   */
  @Test
  void aDeactivatedUsersOwnMemberIsStillRemovedBesideAMemberWithItsEmailReportedAsKeepingAccess() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    String own = member("ada@corp.example").id();
    FulcrumMember[] byHand = new FulcrumMember[1];
    byHand(() -> {
      h.http.updateMember(own, new MemberFields("ada.old@corp.example", null, null, null));
      byHand[0] = h.http.createMember(new MemberFields("ada@corp.example", "Ada", "ByHand", null));
    });
    h.okta.set(ada, "active", 0); // not reconciled yet when resync runs

    ResyncReport dry = resync.dryRun(Progress.NONE);

    assertThat(dry.plan()).extracting(Drift::kind, Drift::fulcrumHas).containsExactly(
        tuple(Drift.Kind.COLLISION, "unmanaged member ada@corp.example (" + byHand[0].id() + ")"),
        tuple(Drift.Kind.FIX, "ada.old@corp.example (" + own + ")"));
    assertThat(dry.totals().toFix()).isEqualTo(1);
  }

  /**
   * The token owner's own Okta user deactivated: not a member keeping access that the operator may
   * simply remove (the bridge runs on that person's token), but one BLOCKED line saying what to do,
   * counted among the people who keep access.
   */
  @Test
  void aDeactivatedUserWithTheTokenOwnersEmailIsABlockedLineSayingTheOwnerKeepsAccess() {
    String owner = h.fulcrum.member(h.fulcrum.ownerMembershipId()).orElseThrow().email();
    String namesake = h.okta.user(owner, "Not", "Me", null);
    h.settle();
    h.okta.set(namesake, "active", 0);
    h.settle();

    ResyncReport report = resync.dryRun(Progress.NONE);

    assertThat(report.plan()).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo(Drift.Kind.BLOCKED);
      assertThat(d.keepsAccess()).isTrue();
      assertThat(d.action()).contains(owner + " is the Fulcrum API token's owner").contains("keeps Owner access")
          .contains("Set fulcrum.api_token to another Owner's token").contains("journal retry user/" + namesake);
    });
    assertThat(report.totals().keepsAccess()).isEqualTo(1);
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

    ResyncReport report = resync.dryRun(Progress.NONE);

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
  void anApplyReadsTheTokenOwnerAndTheRolesOnceItsSecondCheckRereadsMembersAndGroups() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    h.okta.group("Ops", List.of(ada));
    h.settle();
    String id = member("ada@corp.example").id();
    byHand(() -> {
      h.http.updateMember(id, new MemberFields(null, null, null, roleId("Record Creator")));
      h.http.changeGroupMembers(group("Ops").id(), List.of(), List.of(id));
    });
    List<String> reads = new ArrayList<>(); // resync's own, not the reconciler's that applies its fixes
    resync = new Resync(watched(reads::add), h.db, settings, h.clock, h.clock::tick);

    ResyncReport report = apply();

    assertThat(report.totals().fixed()).isEqualTo(2);
    assertThat(report.remaining()).isEmpty();
    assertThat(reads).containsExactly("tokenOwner", "roles", "memberList", "groups", "memberList", "groups");
  }

  /** {@link ReconcileHarness#http}, each call's method name passed to {@code before} first (which may throw instead). */
  FulcrumClient watched(Consumer<String> before) {
    return (FulcrumClient) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {FulcrumClient.class},
        (proxy, m, args) -> {
          before.accept(m.getName());
          try {
            return m.invoke(h.http, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void aKeyBeingReconciledWhenResyncStartsIsQueuedAgainSoItsNextRunFixesTheDrift() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    String id = member("ada@corp.example").id();
    byHand(() -> h.http.updateMember(id, new MemberFields(null, "Adda", null, null)));
    h.queue.enqueue(ResourceKey.user(ada));
    // the daemon's reconciler (whose queue the resync shares) holds it past the resync's patience
    var running = path.queue().claim(1).get(0);

    ResyncReport report = apply();

    assertThat(report.driftRemains()).isTrue();
    assertThat(h.queue.get(ResourceKey.user(ada)).orElseThrow().generation()).isGreaterThan(running.generation());
    path.queue().release(running);
    path.loop().runOnce(); // the resync's reconciler, which re-read Fulcrum for it
    assertThat(member("ada@corp.example").firstName()).isEqualTo("Ada");
  }

  @Test
  void anUnknownRoleIsBlockedAndNotQueued() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.okta.set(ada, "role", "Astronaut");
    h.settle();

    ResyncReport report = resync.dryRun(Progress.NONE);

    assertThat(report.plan()).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo(Drift.Kind.BLOCKED);
      assertThat(d.action()).contains("role 'Astronaut' is not a Fulcrum role");
    });
    assertThat(report.totals().toFix()).isZero();
  }

  @Test
  void aFailedReadAfterTheFixesDoesNotSayNothingWasChanged() {
    String id = drifted("x@corp.example");
    AtomicInteger memberReads = new AtomicInteger();
    FulcrumClient flaky = watched(call -> {
      if (call.equals("memberList") && memberReads.incrementAndGet() == 2) { // the check after the fixes
        throw new FulcrumException.Unavailable("GET /api/v2/memberships.json", "timeout", null);
      }
    });
    resync = new Resync(flaky, h.db, settings, h.clock, h.clock::tick);

    OperatorRequest.Answer answer = new OperatorActions(h.db, h.queue, h.guard, () -> {})
        .resync(new OperatorActions.Fulcrum(resync, path, "the emulator"), OperatorActions.Resyncing.APPLY, false, Watch.NONE);

    assertThat(h.fulcrum.member(id).orElseThrow().firstName()).isEqualTo("Xavier");
    assertThat(answer.exitCode()).isEqualTo(ExitCode.FULCRUM);
    assertThat(answer.err()).doesNotContain("nothing was changed").contains("timeout")
        .contains("after it had queued 1 fix for the reconciler");
  }

  /** A managed user {@code email} whose first name was changed by hand in Fulcrum; returns its member id. */
  String drifted(String email) {
    h.okta.user(email, "Xavier", "Example", null);
    h.settle();
    String id = member(email).id();
    h.http.updateMember(id, new MemberFields(null, "Renamed", null, null));
    return id;
  }

  static List<String> writes(CallCounter calls) {
    return calls.all().stream().map(CallCounter.CallCount::endpoint).filter(e -> !e.startsWith("GET ")).toList();
  }

  /**
   * Orphans: members and groups the bridge created that no link points to any more (left behind by
   * a dropped link, a crash between a create and its link, or an older bridge). Made here by
   * dropping the link row, as the bridge before issue 9 did on a stale cached view.
   */
  @Nested
  class Orphans {
    /** Users {@code names}@corp.example reach Fulcrum; the first {@code orphaned} lose their link and are deactivated. */
    void orphansOf(int orphaned, String... names) {
      List<String> users = new ArrayList<>();
      for (String name : names) {
        users.add(h.okta.user(name + "@corp.example", name, "Example", null));
      }
      h.settle();
      for (String user : users.subList(0, orphaned)) {
        dropLink(EntityType.USER, user);
        h.okta.set(user, "active", 0);
      }
      h.settle();
    }

    /** A fresh bridge whose mass-removal guard lets through at most max(minimum, percent%) removals. */
    void guardedAt(int percent, int minimum) {
      path.loop().close();
      h.close();
      h = new ReconcileHarness(dir.resolve("guarded"), ReconcileHarness.Options.defaults().withGuard(percent, minimum));
      path = h.newWiring(h.http);
      resync = new Resync(h.http, h.db, settings, h.clock, h.clock::tick);
      unmanagedBefore = unmanaged();
    }

    record Orphaned(String memberId, String groupId) {}

    /** x@corp.example's member and the group Ops lose their links, then Okta deactivates x and deletes Ops. */
    Orphaned orphanMemberAndGroup() {
      String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
      String ops = h.okta.group("Ops", List.of());
      h.settle();
      Orphaned orphaned = new Orphaned(member("x@corp.example").id(), group("Ops").id());
      dropLink(EntityType.USER, x);
      dropLink(EntityType.GROUP, ops);
      h.okta.set(x, "active", 0);
      h.okta.deleteGroup(ops);
      h.settle();
      return orphaned;
    }

    void dropLink(EntityType type, String scimId) {
      h.db.write(c -> {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM link WHERE entity_type = ? AND scim_id = ?")) {
          ps.setString(1, type.name());
          ps.setString(2, scimId);
          return ps.executeUpdate();
        }
      });
    }

    @Test
    void aMemberWhoseUserWasDeactivatedAfterItsLinkWasDroppedIsRemovedAndAudited() {
      String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
      h.settle();
      String orphanId = h.fulcrum.memberByEmail("x@corp.example").orElseThrow().id();
      dropLink(EntityType.USER, x);
      h.okta.set(x, "active", 0);
      h.settle();
      assertThat(h.fulcrum.memberByEmail("x@corp.example")).as("the reconciler alone cannot see it").isPresent();

      ResyncReport dry = resync.dryRun(Progress.NONE);
      assertThat(dry.plan()).anySatisfy(d -> {
        assertThat(d.entity()).isEqualTo("orphan member x@corp.example");
        assertThat(d.action()).isEqualTo("remove the orphan");
      });
      ResyncReport done = apply();

      assertThat(h.fulcrum.memberByEmail("x@corp.example")).isEmpty();
      assertThat(done.remaining()).isEmpty();
      assertThat(done.totals().fixed()).isEqualTo(1);
      List<AuditEntry> audit = new AuditLog(h.db, h.clock).list(null, 100);
      assertThat(audit).anySatisfy(a -> {
        assertThat(a.fulcrumId()).isEqualTo(orphanId);
        assertThat(a.action()).isEqualTo("REMOVE_MEMBER");
        assertThat(a.result()).isEqualTo("ok");
        assertThat(a.detail()).startsWith("orphan");
      });
    }

    /** The bridge's own member is an orphan to remove, not an unmanaged member keeping access. */
    @Test
    void anOrphanOfADeactivatedUserIsReportedOnlyAsAnOrphan() {
      String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
      h.settle();
      dropLink(EntityType.USER, x);
      h.okta.set(x, "active", 0);
      h.settle();

      assertThat(resync.dryRun(Progress.NONE).plan()).singleElement().satisfies(d -> assertThat(d.entity()).isEqualTo("orphan member x@corp.example"));
    }

    @Test
    void aMemberWhoseUserIsStillActiveIsReportedAndLeftAlone() {
      String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
      h.settle();
      dropLink(EntityType.USER, x);

      ResyncReport dry = resync.dryRun(Progress.NONE);

      assertThat(dry.plan()).anySatisfy(d -> {
        assertThat(d.entity()).isEqualTo("orphan member x@corp.example");
        assertThat(d.kind()).isEqualTo(Drift.Kind.ORPHAN);
      });
      apply();
      assertThat(h.fulcrum.memberByEmail("x@corp.example")).isPresent();
    }

    @Test
    void anOrphanWhoseEmailAnActiveUserWantsIsReportedAndNotRemoved() {
      String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
      h.settle();
      String orphanId = member("x@corp.example").id();
      dropLink(EntityType.USER, x);
      h.okta.deleteUser(x); // Okta deletes the person and pushes them again under a new id
      String again = h.okta.user("X@Corp.example", "Xavier", "Example", null);
      h.settle();

      ResyncReport dry = resync.dryRun(Progress.NONE);
      ResyncReport done = apply();

      assertThat(dry.plan()).filteredOn(d -> d.entity().equals("orphan member x@corp.example")).singleElement()
          .satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Drift.Kind.ORPHAN);
            assertThat(d.oktaWants()).contains("user/" + again);
          });
      assertThat(h.fulcrum.memberByEmail("x@corp.example").map(FulcrumMember::id)).contains(orphanId);
      assertThat(done.plan()).isEqualTo(dry.plan());
      assertThat(new AuditLog(h.db, h.clock).list(null, 100)).noneMatch(a -> a.action().equals("REMOVE_MEMBER"));
    }

    /**
     * Okta deletes x, whose link was lost; 20 days later a new hire is given the address: not x
     * pushed again (review-s6a F1), so the orphan, x's account, is removed rather than kept for it.
     */
    @Test
    void anOrphanWhoseEmailANewHireWasGivenDaysAfterTheLeaveIsRemoved() {
      String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
      h.settle();
      String orphanId = member("x@corp.example").id();
      dropLink(EntityType.USER, x);
      h.okta.deleteUser(x);
      h.settle();
      h.clock.tick(Duration.ofDays(20));
      h.okta.userNamed("x.new", "x@corp.example", "Xena", "Example", null);

      apply();

      assertThat(h.fulcrum.member(orphanId)).as("x's orphan member").isEmpty();
    }

    @Test
    void anOrphanWhoseUserIsReactivatedDuringTheRunIsNotRemoved() {
      String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
      h.settle();
      dropLink(EntityType.USER, x);
      h.okta.set(x, "active", 0);
      h.settle();

      resync.apply(path, new Progress() {
        @Override
        public void planned(ResyncReport plan) {
          assertThat(plan.plan()).anySatisfy(d -> assertThat(d.action()).isEqualTo("remove the orphan"));
          h.okta.set(x, "active", 1); // Okta reassigns the person while the users settle
        }

        @Override
        public void update(String phase, int done, int total) {}

        @Override
        public void finish() {}
      }, 0);

      assertThat(h.fulcrum.memberByEmail("x@corp.example")).as("the member of an active SCIM user").isPresent();
      assertThat(new AuditLog(h.db, h.clock).list(null, 100)).noneMatch(a -> a.action().equals("REMOVE_MEMBER"));
    }

    @Test
    void aGroupOktaRenamedWhileItsOldCopyLostItsLinkIsDeletedAndTheLinkedOneKept() {
      String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
      String ops = h.okta.group("Ops", List.of(x));
      h.settle();
      String orphanId = group("Ops").id();
      dropLink(EntityType.GROUP, ops);
      h.okta.setGroup(ops, "Ops Team", List.of(x));
      h.settle();
      assertThat(h.fulcrum.groups().stream().map(FulcrumGroup::name)).as("the duplicate of issue 9").contains("Ops", "Ops Team");

      apply();

      assertThat(h.fulcrum.group(orphanId)).isEmpty();
      assertThat(group("Ops Team").memberIds()).hasSize(1);
    }

    @Test
    void aGroupOktaDeletedAfterItsLinkWasDroppedIsDeleted() {
      String ops = h.okta.group("Ops", List.of());
      h.settle();
      String orphanId = group("Ops").id();
      dropLink(EntityType.GROUP, ops);
      h.okta.deleteGroup(ops);
      h.settle();
      assertThat(h.fulcrum.group(orphanId)).isPresent();

      apply();

      assertThat(h.fulcrum.group(orphanId)).isEmpty();
    }

    @Test
    void orphanMembersBeyondTheMassRemovalGuardStayUntilAResyncApprovesTheirRemoval() {
      guardedAt(10, 2);
      orphansOf(3, "a", "b", "c");

      ResyncReport held = apply();

      assertThat(List.of("a", "b", "c")).allSatisfy(n -> assertThat(h.fulcrum.memberByEmail(n + "@corp.example")).isPresent());
      assertThat(held.stoppedBecause()).startsWith("3 orphan member removals held by the mass-removal guard")
          .contains("of 0 managed members (guard: more than 2 = max(2, 10%)").contains("resync --approve-removals");
      assertThat(held.driftRemains()).isTrue();
      assertThat(new AuditLog(h.db, h.clock).list(null, 100)).noneMatch(a -> a.action().equals("REMOVE_MEMBER"));

      ResyncReport approved = resync.apply(path, Progress.NONE, 3);

      assertThat(List.of("a", "b", "c")).allSatisfy(n -> assertThat(h.fulcrum.memberByEmail(n + "@corp.example")).isEmpty());
      assertThat(approved.stoppedBecause()).isNull();
      assertThat(approved.remaining()).isEmpty();
    }

    @Test
    void anApprovingRunThatFindsMoreOrphanMembersThanTheOperatorApprovedRemovesNone() {
      guardedAt(10, 2);
      orphansOf(3, "a", "b", "c");

      ResyncReport refused = resync.apply(path, Progress.NONE, 2);

      assertThat(List.of("a", "b", "c")).allSatisfy(n -> assertThat(h.fulcrum.memberByEmail(n + "@corp.example")).isPresent());
      assertThat(refused.stoppedBecause()).startsWith("3 orphan member removals found, more than the 2 approved");
      assertThat(Resync.heldOrphanRemovals(new SettingStore(h.db))).isEqualTo(3);
    }

    @Test
    void orphanRemovalsTheGuardHeldAreKeptForStatusUntilAnApplyRemovesThem() {
      guardedAt(10, 2);
      orphansOf(3, "a", "b", "c");

      apply();
      long held = Resync.heldOrphanRemovals(new SettingStore(h.db));
      resync.apply(path, Progress.NONE, 3);

      assertThat(held).isEqualTo(3);
      assertThat(Resync.heldOrphanRemovals(new SettingStore(h.db))).isZero();
    }

    @Test
    void anApprovingRunStoppedAmongTheOrphansLeavesTheHeldCountForStatus() {
      guardedAt(10, 2);
      orphansOf(3, "a", "b", "c");
      apply();
      Progress stopAfterTheFirst = new Progress() {
        @Override
        public void planned(ResyncReport plan) {}

        @Override
        public void update(String phase, int done, int total) {
          if (phase.equals("orphans") && done == 1) {
            resync.stopRuns(); // the node lost the writer lease
          }
        }

        @Override
        public void finish() {}
      };

      assertThatThrownBy(() -> resync.apply(path, stopAfterTheFirst, 3)).isInstanceOf(Resync.Stopped.class);

      assertThat(Resync.heldOrphanRemovals(new SettingStore(h.db))).as("two of them still have access").isEqualTo(3);
    }

    @Test
    void theDaemonCarriesOutAResyncRequestThatApprovesRemovalsAndOneThatDoesNot() {
      guardedAt(10, 0);
      String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
      h.settle();
      dropLink(EntityType.USER, x);
      h.okta.set(x, "active", 0);
      h.settle();
      OperatorActions daemon = new OperatorActions(h.db, h.queue, h.guard, () -> {});
      OperatorActions.Fulcrum fulcrum = new OperatorActions.Fulcrum(resync, path, "the emulator");

      OperatorRequest.Answer plain = daemon.carryOut(request(OperatorRequest.Kind.RESYNC), () -> fulcrum, Watch.NONE);
      assertThat(h.fulcrum.memberByEmail("x@corp.example")).isPresent();
      OperatorRequest.Answer approving = daemon.carryOut(request(OperatorRequest.Kind.RESYNC_APPROVING_REMOVALS, "1"),
          () -> fulcrum, Watch.NONE);

      assertThat(plain.exitCode()).isEqualTo(ExitCode.FAILED);
      assertThat(plain.out()).contains("1 orphan member removal held by the mass-removal guard");
      assertThat(approving.exitCode()).as(approving.out()).isEqualTo(ExitCode.OK);
      assertThat(h.fulcrum.memberByEmail("x@corp.example")).isEmpty();
    }

    @Test
    void aResyncRequestApprovingRemovalsFromACommandThatSaidNotHowManyRunsNothing() {
      guardedAt(10, 0);
      orphansOf(1, "x");
      OperatorActions daemon = new OperatorActions(h.db, h.queue, h.guard, () -> {});
      OperatorActions.Fulcrum fulcrum = new OperatorActions.Fulcrum(resync, path, "the emulator");

      OperatorRequest.Answer answer = daemon.carryOut(request(OperatorRequest.Kind.RESYNC_APPROVING_REMOVALS, null),
          () -> fulcrum, Watch.NONE);

      assertThat(answer.exitCode()).isEqualTo(ExitCode.FAILED);
      assertThat(answer.err()).contains("did not say how many orphan member removals it approved");
      assertThat(h.fulcrum.memberByEmail("x@corp.example")).isPresent();
    }

    OperatorRequest request(OperatorRequest.Kind kind) {
      return request(kind, null);
    }

    OperatorRequest request(OperatorRequest.Kind kind, String target) {
      return new OperatorRequest(1, kind, target, false, OperatorRequest.State.RUNNING, null, null, 0, 0, null, null);
    }

    /** The harness's settings, with users.reassign_records_to set to {@code membershipId}. */
    ReconcileSettings reassigningTo(String membershipId) {
      return new ReconcileSettings(false, membershipId, true, java.util.Map.of(), "", false,
          java.time.Duration.ofSeconds(5), java.time.Duration.ofMinutes(5), java.time.Duration.ofSeconds(70));
    }

    @Test
    void anOrphanGoesWithRecordsUnassignedWhenTheReassignTargetHasLeftTheOrganization() {
      resync = new Resync(h.http, h.db, reassigningTo("m-left"), h.clock, h.clock::tick);
      orphansOf(1, "a");

      ResyncReport done = apply();

      assertThat(done.stoppedBecause()).isNull();
      assertThat(h.fulcrum.memberByEmail("a@corp.example")).as("a deprovisioned person's orphan").isEmpty();
      assertThat(new AuditLog(h.db, h.clock).list(null, 100)).filteredOn(a -> a.action().equals("REMOVE_MEMBER"))
          .singleElement().satisfies(a -> {
            assertThat(a.result()).isEqualTo("ok");
            assertThat(a.detail()).endsWith("records unassigned: users.reassign_records_to names m-left, no longer in the organization");
          });
    }

    @Test
    void anOrphanTheReconcilerLinksWhileTheReassignTargetIsReadIsNotRemoved() {
      orphansOf(1, "x");
      String orphanId = member("x@corp.example").id();
      // the reconciler, running beside the resync, adopts the member for a person Okta pushed again
      // under a new id while the remover reads the reassign target
      FulcrumClient adoptedMeanwhile = (FulcrumClient) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {FulcrumClient.class}, (proxy, m, args) -> {
            if (m.getName().equals("member") && args[0].equals("m-bystander")) {
              link(EntityType.USER, "x-pushed-again", orphanId);
            }
            try {
              return m.invoke(h.http, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
      resync = new Resync(adoptedMeanwhile, h.db, reassigningTo("m-bystander"), h.clock, h.clock::tick);

      apply();

      assertThat(h.fulcrum.member(orphanId)).as("the member linked to an active person").isPresent();
      assertThat(new AuditLog(h.db, h.clock).list(null, 100)).noneMatch(a -> a.action().equals("REMOVE_MEMBER"));
    }

    void link(EntityType type, String scimId, String fulcrumId) {
      h.db.write(c -> {
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) VALUES (?, ?, ?, 'ADOPTED', 0)")) {
          ps.setString(1, type.name());
          ps.setString(2, scimId);
          ps.setString(3, fulcrumId);
          return ps.executeUpdate();
        }
      });
    }

    @Test
    void orphanMembersWithinTheMassRemovalGuardAreRemovedWithoutApproval() {
      guardedAt(10, 2);
      orphansOf(2, "a", "b", "c");

      ResyncReport done = apply();

      assertThat(done.stoppedBecause()).isNull();
      assertThat(h.fulcrum.memberByEmail("a@corp.example")).isEmpty();
      assertThat(h.fulcrum.memberByEmail("b@corp.example")).isEmpty();
      assertThat(h.fulcrum.memberByEmail("c@corp.example")).isPresent();
    }

    @Test
    void orphanGroupsGoEvenWhileTheGuardHoldsOrphanMembers() {
      guardedAt(10, 0);
      String groupId = orphanMemberAndGroup().groupId();

      ResyncReport held = apply();

      assertThat(held.stoppedBecause()).startsWith("1 orphan member removal held");
      assertThat(h.fulcrum.memberByEmail("x@corp.example")).isPresent();
      assertThat(h.fulcrum.group(groupId)).isEmpty();
    }

    @Test
    void anOrphanDeleteFulcrumAcceptsButDoesNotCarryOutIsAFailureNotARemoval() {
      Orphaned orphaned = orphanMemberAndGroup();
      String memberId = orphaned.memberId();
      String groupId = orphaned.groupId();
      h.fulcrum.faults().deletesIgnored(true); // a proxy answering 204 to every DELETE

      ResyncReport done = apply();

      assertThat(h.fulcrum.memberByEmail("x@corp.example")).isPresent();
      assertThat(done.totals().fixed()).isZero();
      assertThat(done.remaining()).extracting(Drift::entity).contains("orphan member x@corp.example", "orphan group Ops");
      assertThat(new AuditLog(h.db, h.clock).list(null, 100)).filteredOn(a -> a.fulcrumId().equals(memberId)
              || a.fulcrumId().equals(groupId)).filteredOn(a -> a.detail() != null && a.detail().startsWith("orphan"))
          .hasSize(2).allSatisfy(a -> assertThat(a.result())
              .startsWith("failed: DELETE /api/v2/").contains("Fulcrum answered 204 to ").contains("but still has it (read back by id); the next resync finds it again"));
    }

    @Test
    void theTokenOwnersMembershipIsNeverAnOrphanWhereFulcrumListsMembersWithoutAccountIds() {
      String o = h.okta.user("olive@corp.example", "Olive", "Example", null);
      h.settle();
      String olive = member("olive@corp.example").id();
      h.http.updateMember(olive, new MemberFields(null, null, null, roleId("Owner")));
      h.fulcrum.tokenOwnedBy(olive); // the person the bridge provisioned became the Owner whose token it uses
      unmanagedBefore = unmanaged();
      dropLink(EntityType.USER, o);
      h.okta.set(o, "active", 0);
      h.settle();
      FulcrumClient noAccountIds = (FulcrumClient) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {FulcrumClient.class}, (proxy, m, args) -> {
            if (ClientDoubles.readsThroughMembers(m)) {
              return InvocationHandler.invokeDefault(proxy, m, args);
            }
            try {
              Object answer = m.invoke(h.http, args);
              return !m.getName().equals("members") ? answer : ((List<?>) answer).stream().map(FulcrumMember.class::cast)
                  .map(f -> new FulcrumMember(f.id(), null, f.email(), f.firstName(), f.lastName(), f.roleId(), f.roleName(),
                      f.managed(), f.status()))
                  .toList();
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });

      ResyncReport dry = new Resync(noAccountIds, h.db, settings, h.clock, h.clock::tick).dryRun(Progress.NONE);

      assertThat(dry.plan()).noneMatch(d -> d.entity().startsWith("orphan"));
    }

    @Test
    void unmanagedMembersAndGroupsAndTheOwnerAreNeverListedAsOrphans() {
      h.okta.user("x@corp.example", "Xavier", "Example", null);
      h.settle();
      h.http.createGroup("Hand made", "Provisioned by fulcrum-scim"); // the marker alone proves nothing

      ResyncReport dry = resync.dryRun(Progress.NONE);

      assertThat(dry.plan()).noneMatch(d -> d.entity().startsWith("orphan"));
    }
  }
}
