package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.Tombstones;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ReconcileHarness;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * users.adopt_existing and a managed member removed by hand, then invited again by hand: the
 * deactivation (or the delete) adopts and removes the new member. However that plan is interrupted between its
 * writes, the row never ends DONE while the person invited by hand keeps access.
 */
class ReinvitedByHandTest extends EndToEnd {
  static final String ADA = "ada@corp.example";

  /** Where the adopt-and-remove plan is stopped on its first run; each is cleared before the next. */
  enum Interruption {
    /** The write that drops the stale link fails (the first statement of the adoption's write). */
    STALE_LINK_DROPPED("BEFORE DELETE ON link", "OLD.origin = 'CREATED'"),
    /** The adoption's link cannot be written (a full disk; a lost claim fails the same write). */
    ADOPTED_LINK_WRITTEN("BEFORE INSERT ON link", "NEW.origin = 'ADOPTED'"),
    /** Fulcrum answers the removal but keeps the member. */
    REMOVAL(null, null),
    /** The unlink after the removal cannot be written. */
    FINAL_UNLINK("BEFORE DELETE ON link", "OLD.origin = 'ADOPTED'");

    final String event;
    final String when;

    Interruption(String event, String when) {
      this.event = event;
      this.when = when;
    }
  }

  /** Ada pushed and linked; her member removed and invited again by hand; the list cached before has aged. */
  private FulcrumMember adaInvitedAgainByHand(String ada) {
    h.settle();
    h.http.deleteMember(inFulcrum(ADA).id(), null); // by hand
    FulcrumMember byHand = h.http.createMember(new MemberFields(ADA, "Ada", "ByHand", null)); // by hand
    changedOnPurpose.add(byHand.id());
    h.clock.tick(Duration.ofMinutes(10));
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isPresent();
    return byHand;
  }

  static Stream<Arguments> interruptions() {
    return Stream.of(Leaving.values()).flatMap(how -> Stream.of(Interruption.values()).map(at -> Arguments.of(how, at)));
  }

  @ParameterizedTest
  @MethodSource("interruptions")
  void anAdoptAndRemovePlanInterruptedAnywhereNeverEndsDoneWhileTheMemberInvitedByHandKeepsAccess(Leaving how, Interruption at) {
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.adopting()));
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    FulcrumMember byHand = adaInvitedAgainByHand(ada);
    interrupt(at, true);
    how.leave(h.okta, ada);
    h.runOnce();

    WorkItem row = h.row(ResourceKey.user(ada));
    if (h.fulcrum.member(byHand.id()).isPresent()) {
      assertThat(row.state()).as("interrupted at " + at + ": the person keeps access, so the row is not done")
          .isNotEqualTo(WorkState.DONE);
      assertThat(tombstoneKept(ada)).as("what finds that person again").isEqualTo(how == Leaving.DELETED);
    }

    interrupt(at, false);
    h.settle();
    assertThat(h.fulcrum.member(byHand.id())).as("deprovisioned").isEmpty();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isEmpty();
    assertThat(tombstoneKept(ada)).as("kept once the removal is done: resync looks for that email again")
        .isEqualTo(how == Leaving.DELETED);
  }

  private boolean tombstoneKept(String ada) {
    return h.db.read(c -> new Tombstones().find(c, ada)).isPresent();
  }

  /** The stale link goes with the adoption, in its transaction: both audit rows, and never one without the other. */
  @Test
  void theAdoptionReplacesTheStaleLinkInOneWriteWithBothAuditRows() {
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.adopting()));
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    FulcrumMember byHand = adaInvitedAgainByHand(ada);
    String stale = new LinkStore(h.db).get(EntityType.USER, ada).orElseThrow().fulcrumId();
    h.fulcrum.faults().deletesIgnored(true); // stops the plan right after the adoption's write
    h.okta.set(ada, "active", 0);
    h.runOnce();

    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).get().satisfies(l -> {
      assertThat(l.fulcrumId()).isEqualTo(byHand.id());
      assertThat(l.origin()).isEqualTo(Action.Link.Origin.ADOPTED);
    });
    assertThat(new AuditLog(h.db, h.clock).list(null, 100)).filteredOn(e -> e.action().equals("UNLINK") || e.action().equals("LINK"))
        .extracting(AuditEntry::action, AuditEntry::fulcrumId)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("UNLINK", stale),
            org.assertj.core.groups.Tuple.tuple("LINK", byHand.id()));
  }

  /**
   * The guard held the removal and an operator approved it; Fulcrum keeps the member on the first
   * try. The approval is spent only by the unlink after the removal, so the retry removes the
   * member instead of being held again.
   */
  @Test
  void anApprovalIsSpentOnlyByTheUnlinkAfterTheRemovalNotByTheStaleLinksReplacement() {
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.adopting()).withGuard(0, 0));
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    FulcrumMember byHand = adaInvitedAgainByHand(ada);
    h.okta.set(ada, "active", 0);
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);

    h.guard.approveHeld(h.queue, h.guard.held());
    h.fulcrum.faults().deletesIgnored(true);
    h.runOnce();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.RETRYING);
    assertThat(h.fulcrum.member(byHand.id())).isPresent();

    h.fulcrum.faults().clear();
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).as("approved once, removed once").isEqualTo(WorkState.DONE);
    assertThat(h.fulcrum.member(byHand.id())).isEmpty();
  }

  private void interrupt(Interruption at, boolean on) {
    if (at.event == null) {
      h.fulcrum.faults().deletesIgnored(on);
      return;
    }
    boolean postgres = h.db.dialect() == Dialect.POSTGRESQL;
    List<String> sql = !on ? List.of(postgres ? "DROP TRIGGER interrupt ON link" : "DROP TRIGGER interrupt")
        : postgres ? List.of("CREATE OR REPLACE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
            + "'interrupted (test)'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER interrupt " + at.event + " FOR EACH ROW WHEN (" + at.when + ") EXECUTE FUNCTION refuse()")
        : List.of("CREATE TRIGGER interrupt " + at.event + " WHEN " + at.when
            + " BEGIN SELECT RAISE(ABORT, 'interrupted (test)'); END");
    h.db.write(c -> {
      for (String statement : sql) {
        c.createStatement().execute(statement);
      }
      return null;
    });
  }
}
