package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.resync.Drift;
import com.fulcrumscim.resync.Progress;
import com.fulcrumscim.resync.Resync;
import com.fulcrumscim.resync.ResyncReport;
import com.fulcrumscim.testing.ReconcileHarness;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * review-s13b F1 and review-s13c F1: a leaver is looked for under the addresses Okta gave it, and
 * the plan knows whether the address that found a member ever reached Fulcrum as the address of the
 * user's own member. A member found under one that never did (Fulcrum refused it as the seeded
 * m-taken's, invited by hand long before; or the user left before it was applied) may be the
 * person invited again by hand, or someone else: reported as maybe keeping access, with advice that
 * says so, and never adopted nor removed, even with users.adopt_existing. A member found under an
 * address that did reach Fulcrum, or by a user never linked, is handled as before.
 */
class AddressNeverReachedFulcrumTest extends EndToEnd {
  static final String ADA = "ada@corp.example";
  static final String NEW = "ada.new@corp.example";
  static final String TAKEN = "taken@corp.example";
  static final String NEVER_REACHED = "an address Okta gave this user that never reached its own Fulcrum member";

  /** Ada pushed and linked; Okta gives her m-taken's address (DEAD on the 422), then takes her away: her own member removed. */
  private String givenTakenAddressThenLeft(Leaving how) {
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    String own = inFulcrum(ADA).id();
    h.okta.set(ada, "email", TAKEN);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).as("Fulcrum refused the address").isEqualTo(WorkState.DEAD);

    how.leave(h.okta, ada);
    h.settle();
    assertThat(h.fulcrum.member(own)).as("her own member removed").isEmpty();
    h.clock.tick(Duration.ofMinutes(10));
    return ada;
  }

  /** Okta renames Ada and takes her away before the rename reached Fulcrum: her own member (ada@) removed. */
  private String renamedThenLeftBeforeTheRenameWentOut(Leaving how) {
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    h.okta.set(ada, "email", NEW);
    how.leave(h.okta, ada);
    h.settle();
    assertThat(membersIn(ADA)).isZero();
    h.clock.tick(Duration.ofMinutes(10));
    return ada;
  }

  private Resync resync() {
    return new Resync(h.http, h.db, h.options().settings(), h.clock, h.clock::tick);
  }

  private ResyncReport resyncApply() {
    ReconcileWiring path = h.newWiring(h.http);
    try {
      return resync().apply(path, Progress.NONE, 0);
    } finally {
      path.loop().close();
    }
  }

  /** The next change of the user (or resync's nudge). */
  private WorkItem changedAgain(String id) {
    h.queue.enqueue(ResourceKey.user(id));
    h.settle();
    return h.row(ResourceKey.user(id));
  }

  private static ReconcileHarness.Options adopting() {
    return ReconcileHarness.Options.defaults().withSettings(UserPushTest.adopting());
  }

  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aMemberHoldingAnAddressFulcrumRefusedTheLeaverIsReportedAsMaybeSomeoneElse(Leaving how) {
    start();
    String ada = givenTakenAddressThenLeft(how);

    WorkItem row = changedAgain(ada);
    assertThat(row.state()).as("in front of an operator").isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("m-taken").contains(NEVER_REACHED).contains("or someone else")
        .doesNotContain(NeverLinkedNamesakeTest.KEEPS_ACCESS);
    List<Drift> lines = resync().dryRun(Progress.NONE).plan().stream()
        .filter(d -> d.key().equals("user/" + ada)).toList();
    assertThat(lines).as("resync reports it the same way, as maybe keeping access").isNotEmpty()
        .allSatisfy(d -> assertThat(d.keepsAccess()).isTrue())
        .anySatisfy(d -> assertThat(d.action()).contains(NEVER_REACHED).doesNotContain("still has access"));
    assertThat(h.fulcrum.member("m-taken")).isPresent();
  }

  @ParameterizedTest
  @EnumSource(Leaving.class)
  void withAdoptExistingAMemberHoldingAnAddressFulcrumRefusedTheLeaverIsNeitherAdoptedNorRemoved(Leaving how) {
    start(adopting());
    String ada = givenTakenAddressThenLeft(how);

    assertThat(changedAgain(ada).lastError()).as("a later change of the user reports it").contains(NEVER_REACHED);
    resyncApply();
    changedAgain(ada);

    assertThat(h.fulcrum.member("m-taken")).as("never Ada's to remove").isPresent();
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isEmpty();
  }

  /** review-s13c F1: invited again by hand under the address Okta gave her, which never reached her member. */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aLeaverRenamedBeforeTheRenameReachedFulcrumAndInvitedAgainByHandUnderItIsStillAlarmed(Leaving how) {
    start();
    String ada = renamedThenLeftBeforeTheRenameWentOut(how);
    FulcrumMember byHand = h.http.createMember(new MemberFields(NEW, "Ada", "ByHand", null));

    WorkItem row = changedAgain(ada);
    assertThat(row.state()).as("not done: she may keep access").isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains(byHand.id()).contains(NEVER_REACHED).contains("invited again by hand");
    assertThat(h.fulcrum.member(byHand.id())).as("reported, not adopted").isPresent();
  }

  /** A user the bridge never linked (its push failed on m-taken): reported as keeping access, as before. */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aNeverLinkedLeaverIsReportedAsBefore(Leaving how) {
    start();
    String taken = h.okta.user(TAKEN, "Hand", "Made", null);
    h.settle();
    how.leave(h.okta, taken);
    h.settle();

    WorkItem row = h.row(ResourceKey.user(taken));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains(NeverLinkedNamesakeTest.KEEPS_ACCESS).doesNotContain(NEVER_REACHED);
  }

  /** Her rename reached Fulcrum before she left: the member invited again by hand under it is hers, as before. */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aLeaverWhoseRenameReachedFulcrumIsFoundUnderItAsBefore(Leaving how) {
    start();
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    h.okta.set(ada, "email", NEW);
    h.settle();
    assertThat(inFulcrum(NEW).id()).isNotNull();
    how.leave(h.okta, ada);
    h.settle();
    assertThat(membersIn(NEW)).isZero();
    h.clock.tick(Duration.ofMinutes(10));
    FulcrumMember byHand = h.http.createMember(new MemberFields(NEW, "Ada", "ByHand", null));

    WorkItem row = changedAgain(ada);
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains(byHand.id()).contains("still has access").doesNotContain(NEVER_REACHED);
  }

  /** As above with users.adopt_existing: true: adopted and removed. */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void withAdoptExistingALeaverWhoseRenameReachedFulcrumHasTheMemberUnderItRemoved(Leaving how) {
    start(adopting());
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    h.okta.set(ada, "email", NEW);
    h.settle();
    how.leave(h.okta, ada);
    h.settle();
    h.clock.tick(Duration.ofMinutes(10));
    FulcrumMember byHand = h.http.createMember(new MemberFields(NEW, "Ada", "ByHand", null));

    assertThat(changedAgain(ada).state()).isEqualTo(WorkState.DONE);
    assertThat(h.fulcrum.member(byHand.id())).as("deprovisioned").isEmpty();
  }

  /**
   * review-s14b F1: the operator found the member is someone else's and set the leaver's change aside,
   * as its reason advises; every nightly resync still counted it as keeping access (status, the page).
   */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aReportSetAsideOnItsMemberIsNotCountedAsKeepingAccessAtTheNextResync(Leaving leaving) {
    start();
    String ada = givenTakenAddressThenLeft(leaving);
    WorkItem row = changedAgain(ada);
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(h.queue.skip(ResourceKey.user(ada), row.generation())).isTrue();

    ResyncReport report = resyncApply();

    assertThat(report.totals().keepsAccess()).isZero();
    assertThat(report.plan()).anySatisfy(d -> assertThat(d.action()).contains("report only: ")
        .contains("an operator set its change aside on this member"));
  }
}
