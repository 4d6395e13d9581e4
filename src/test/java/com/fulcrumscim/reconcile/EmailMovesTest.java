package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.journal.MatchKey;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ReconcileHarness;
import org.junit.jupiter.api.Test;

/**
 * Okta moves emails between managed people, and Fulcrum refuses an address any member holds
 * (review-rec F2). A chain (ada takes bob@ while bob takes cy@) is retried until the move ahead of
 * it frees the address, whatever order the rows run in; a swap (ada takes bob@, bob takes ada@)
 * can never be made one PUT at a time, and its rows end DEAD naming both users and what to do,
 * instead of Fulcrum's bare "email has already been taken".
 */
class EmailMovesTest extends EndToEnd {
  static final String ADA = "ada@corp.example";
  static final String BOB = "bob@corp.example";
  static final String CY = "cy@corp.example";

  String ada;
  String bob;

  /** Ada and Bob, pushed; Okta's changes are written to the desired state directly (SCIM would refuse a taken email). */
  void adaAndBob() {
    start(ReconcileHarness.Options.defaults().withoutScim());
    ada = h.okta.userNamed("ada", ADA, "Ada", "Lovelace", null);
    bob = h.okta.userNamed("bob", BOB, "Bob", "Builder", null);
    h.settle();
  }

  /** Okta gives {@code userId} {@code email}: the user's row is due. */
  void setEmail(String userId, String email) {
    setEmail(userId, email, true);
  }

  /** As {@link #setEmail(String, String)}; {@code due} false: the row is not queued (its turn comes later, as behind a 429). */
  void setEmail(String userId, String email, boolean due) {
    h.db.write(c -> {
      try (var ps = c.prepareStatement("UPDATE scim_user SET email = ?, email_key = ? WHERE id = ?")) {
        ps.setString(1, email);
        ps.setString(2, MatchKey.of(email));
        ps.setString(3, userId);
        ps.executeUpdate();
      }
      if (due) {
        h.queue.enqueue(c, ResourceKey.user(userId), false);
      }
      return null;
    });
  }

  /** Runs cycles until {@code userId}'s row has been refused on a member list read in its own reconcile. */
  void refusedOnAFreshList(String userId) {
    for (int i = 0; i < 3; i++) {
      h.step();
    }
    assertThat(h.row(ResourceKey.user(userId)).lastError()).contains("has already been taken");
  }

  @Test
  void anEmailChainInTheUnluckyOrderIsRetriedUntilTheMoveAheadOfItFreesTheAddress() {
    adaAndBob();
    setEmail(bob, CY, false);
    setEmail(ada, BOB);
    refusedOnAFreshList(ada);

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.RETRYING);
    assertThat(h.row(ResourceKey.user(ada)).lastError()).contains(BOB + " is held by member " + inFulcrum(BOB).id()
        + " of user/" + bob + ", which Okta moves to " + CY + ": retried once that change frees it");

    h.settle(); // Bob's row was queued by Ada's refusal

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.row(ResourceKey.user(bob)).state()).isEqualTo(WorkState.DONE);
    assertThat(membersIn(BOB)).isEqualTo(1);
    assertThat(membersIn(CY)).isEqualTo(1);
    assertThat(membersIn(ADA)).isZero();
  }

  @Test
  void anEmailSwapIsDeadNamingBothUsersAndWhatToDo() {
    adaAndBob();
    setEmail(ada, "tmp@corp.example");
    setEmail(bob, ADA);
    setEmail(ada, BOB);

    h.settle();

    for (String[] pair : new String[][] {{ada, bob}, {bob, ada}}) {
      assertThat(h.row(ResourceKey.user(pair[0])).state()).isEqualTo(WorkState.DEAD);
      assertThat(h.row(ResourceKey.user(pair[0])).lastError()).contains("has already been taken; email swap between user/"
          + pair[0] + " and user/" + pair[1] + ": Fulcrum refuses each address while the other member holds it. Change"
          + " one of their addresses by hand in Fulcrum (to a temporary one), then `fulcrum-scim journal retry` user/"
          + pair[0] + " user/" + pair[1]);
    }
  }

  @Test
  void anAddressAnUnmanagedMemberHoldsIsDeadNamingThatMemberAndWhatToDo() {
    adaAndBob();
    String hand = h.http.createMember(new com.fulcrumscim.fulcrum.MemberFields("hand@corp.example", "Hand", "Invited", null)).id();
    setEmail(ada, "Hand@corp.example");

    h.settle();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DEAD);
    assertThat(h.row(ResourceKey.user(ada)).lastError()).endsWith("has already been taken; another Fulcrum member, " + hand
        + ", not managed by the bridge, holds hand@corp.example. Correct the address in Okta (its next push is tried at"
        + " once), or, if that member is this person's own account, remove or change it in Fulcrum, then"
        + " `fulcrum-scim journal retry user/" + ada + "`");
  }

  @Test
  void aSwapDoneAsTheDeadReasonSaysEndsWithBothAddressesMoved() {
    adaAndBob();
    setEmail(ada, "tmp@corp.example");
    setEmail(bob, ADA);
    setEmail(ada, BOB);
    h.settle();

    h.http.updateMember(inFulcrum(ADA).id(), new com.fulcrumscim.fulcrum.MemberFields("ada.tmp@corp.example", null, null, null));
    h.queue.revive(ResourceKey.user(ada), WorkState.DEAD);
    h.queue.revive(ResourceKey.user(bob), WorkState.DEAD);
    h.settle();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.row(ResourceKey.user(bob)).state()).isEqualTo(WorkState.DONE);
    assertThat(inFulcrum(ADA).firstName()).isEqualTo("Bob");
    assertThat(inFulcrum(BOB).firstName()).isEqualTo("Ada");
  }
}
