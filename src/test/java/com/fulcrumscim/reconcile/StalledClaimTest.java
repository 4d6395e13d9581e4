package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fulcrumscim.db.ClaimFence;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ReconcileHarness;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node that stalls past its writer lease while another takes its work over (PostgreSQL HA): what
 * it writes once it wakes changes none of the key's state, as if it had crashed at the stall, and
 * the node that took over finishes the key from state (a create recognised by its intent, not made
 * twice). The Fulcrum fence stops the stalled node's calls; these tests show its database writes
 * stop too, so they can run without one.
 */
class StalledClaimTest extends EndToEnd {
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  /** The other node's claim, once it took the rows over. */
  private final AtomicReference<WorkItem> takenOver = new AtomicReference<>();

  /** The other node rescues this node's RUNNING rows and claims them again, as a takeover does. */
  private void anotherNodeTakesOver() {
    if (takenOver.get() == null) {
      h.queue.rescue(ClaimFence.NONE);
      takenOver.set(h.queue.claim(10).get(0));
    }
  }

  /** Outcomes this node's loop dropped because the row had passed on (what the metric counts). */
  private final AtomicInteger claimsLost = new AtomicInteger();

  /** This node's client: the other node takes over right after one of {@code methods} answered. */
  void takeOverAfter(String... methods) {
    h.restart(UserPushTest.afterCalls(h.http, Set.of(methods), name -> anotherNodeTakesOver()), new ReconcileLoop.Listener() {
      @Override
      public void finished(Outcome.Kind kind) {}

      @Override
      public void claimLost() {
        claimsLost.incrementAndGet();
      }
    });
  }

  /** The other node's claim still holds {@code key}: nothing this node did after the takeover finished it. */
  void stillTakenOver(ResourceKey key) {
    assertThat(takenOver.get()).as("the other node took over").isNotNull();
    assertThat(h.row(key).state()).isEqualTo(WorkState.RUNNING);
    assertThat(h.row(key).claim()).as("still the other node's claim").isEqualTo(takenOver.get().claim());
  }

  /** Okta pushes Ada; this node reconciles her, and the other node takes over after {@code method}. */
  String adaPushedAndTakenOverAfter(String method) {
    start();
    takeOverAfter(method);
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.runOnce();
    stillTakenOver(ResourceKey.user(ada));
    return ada;
  }

  @Test
  void aCreatesLateOutcomeIsDroppedAndTheNodeThatTookOverLinksWhatItMade() {
    String ada = adaPushedAndTakenOverAfter("createMember");
    ResourceKey key = ResourceKey.user(ada);

    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).as("the stalled node's link").isEmpty();
    assertThat(new IntentStore(h.db).all(EntityType.USER)).as("left for the new holder to recognise the create")
        .extracting(Intent::scimId).containsExactly(ada);
    assertThat(new AuditLog(h.db, h.clock).list(null, 100)).as("the call happened: its audit row stays")
        .anySatisfy(a -> {
          assertThat(a.key()).isEqualTo(key);
          assertThat(a.action()).isEqualTo("CREATE_MEMBER");
          assertThat(a.result()).isEqualTo("ok");
        });
    assertThat(logs.events()).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains(key.toString()).contains("passed to another holder");
    });
    assertThat(claimsLost).as("counted for the metric").hasValue(1);

    h.restart(h.http); // the node that took over, reconciling from state
    h.settle();
    assertThat(membersIn("ada@corp.example")).isEqualTo(1);
    assertThat(calls("POST /api/v2/memberships.json")).isEqualTo(1);
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).map(Link::fulcrumId).contains(inFulcrum("ada@corp.example").id());
    assertThat(h.row(key).state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void aNodeWhoseClaimPassedOnBeforeItsCreateWritesNoIntentAndMakesNoCall() {
    adaPushedAndTakenOverAfter("members");

    assertThat(calls("POST /api/v2/memberships.json")).isZero();
    assertThat(new IntentStore(h.db).all(EntityType.USER)).isEmpty();
    assertThat(logs.events()).noneSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.ERROR));
    assertThat(claimsLost).hasValue(1);
  }

  @Test
  void aDeactivationsLateUnlinkIsDroppedAndTheNodeThatTookOverFinishesIt() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    ResourceKey key = ResourceKey.user(ada);
    h.settle();
    String member = inFulcrum("ada@corp.example").id();
    takeOverAfter("deleteMember");
    h.okta.set(ada, "active", 0);
    h.runOnce();

    stillTakenOver(key);
    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).as("removed before the stall").isEmpty();
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).as("the stalled node's unlink").map(Link::fulcrumId).contains(member);

    h.restart(h.http);
    h.settle();
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isEmpty();
    assertThat(calls("DELETE /api/v2/memberships/{id}.json")).isEqualTo(1);
    assertThat(h.row(key).state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void aRemovalHeldUnderAClaimThatPassedOnIsReportedOnlyByTheNodeThatHoldsTheRow() {
    start(ReconcileHarness.Options.defaults().withGuard(0, 0)); // every removal waits for approval
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    ResourceKey key = ResourceKey.user(ada);
    h.settle();
    takeOverAfter("members", "member");
    h.okta.set(ada, "active", 0);
    h.runOnce();

    stillTakenOver(key);
    assertThat(removalsHeldInTheLog()).as("held by this node, which no longer holds the row").isZero();

    h.restart(h.http);
    h.runOnce();
    assertThat(h.row(key).state()).isEqualTo(WorkState.HELD);
    assertThat(removalsHeldInTheLog()).isEqualTo(1);
    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).isPresent();
  }

  private long removalsHeldInTheLog() {
    return logs.events().stream().filter(e -> e.getFormattedMessage().startsWith("REMOVAL HELD")).count();
  }

  @Test
  void anAdoptionWhoseClaimPassedOnLinksNothingAndChangesNothing() {
    changedOnPurpose.add("m-taken");
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.adopting()));
    takeOverAfter("members");
    String id = h.okta.user("taken@corp.example", "Okta", "Name", null);
    ResourceKey key = ResourceKey.user(id);
    h.runOnce();

    stillTakenOver(key);
    assertThat(new LinkStore(h.db).get(EntityType.USER, id)).isEmpty();
    assertThat(inFulcrum("taken@corp.example").firstName()).as("not updated").isNotEqualTo("Okta");

    h.restart(h.http);
    h.settle();
    assertThat(new LinkStore(h.db).get(EntityType.USER, id)).map(Link::origin).contains(Action.Link.Origin.ADOPTED);
    assertThat(inFulcrum("taken@corp.example").firstName()).isEqualTo("Okta");
  }
}
