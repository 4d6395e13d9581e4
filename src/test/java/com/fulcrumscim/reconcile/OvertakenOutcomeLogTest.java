package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ReconcileHarness;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A deprovisioning that gives up or is held is an ERROR line, because the row then waits for an
 * operator. When a newer Okta change arrives while the key is reconciled, the row goes back to
 * PENDING instead and runs again: no operator is needed, so there is no line for the fate it never
 * took. The line comes once the row really is DEAD or HELD.
 */
class OvertakenOutcomeLogTest extends EndToEnd {
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  /** Fulcrum's reads, one of which every reconcile makes (the loop's circuitOpen is asked before the claim). */
  private static final Set<String> READS = Set.of("tokenOwner", "roles", "members", "member", "groups", "group");

  /** Runs once, at the first Fulcrum read after it is set. */
  private final AtomicReference<Runnable> meanwhile = new AtomicReference<>();

  private List<String> errors(String prefix) {
    return logs.events().stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.startsWith(prefix)).toList();
  }

  /** From now on, Okta's change {@code change} lands while the next reconcile waits for Fulcrum. */
  private void oktaChangesDuringTheNextFulcrumRead(Runnable change) {
    h.restart(UserPushTest.afterCalls(h.http, READS, name -> {
      Runnable once = meanwhile.getAndSet(null);
      if (once != null) {
        once.run();
      }
    }));
    meanwhile.set(change);
  }

  @Test
  void aDeadDeprovisioningANewerOktaChangeOvertookIsNoErrorLineUntilItIsDeadAgain() {
    start();
    String taken = h.okta.user("taken@corp.example", "Hand", "Made", null);
    h.settle();
    h.okta.set(taken, "active", 0);
    oktaChangesDuringTheNextFulcrumRead(() -> h.okta.set(taken, "given_name", "Handy"));

    h.runOnce();

    assertThat(meanwhile.get()).as("Okta's change landed during the reconcile").isNull();
    assertThat(h.row(ResourceKey.user(taken)).state()).isEqualTo(WorkState.PENDING);
    assertThat(errors(DeadDeprovisioningLogTest.DEAD)).isEmpty();

    h.runOnce();

    assertThat(h.row(ResourceKey.user(taken)).state()).isEqualTo(WorkState.DEAD);
    assertThat(errors(DeadDeprovisioningLogTest.DEAD)).singleElement().satisfies(m ->
        assertThat(m).startsWith(DeadDeprovisioningLogTest.DEAD + "user/" + taken + ": "));
  }

  @Test
  void aHeldRemovalANewerOktaChangeOvertookIsNoErrorLineUntilItIsHeldAgain() {
    start(ReconcileHarness.Options.defaults().withGuard(0, 0));
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.okta.set(ada, "active", 0);
    oktaChangesDuringTheNextFulcrumRead(() -> h.okta.set(ada, "given_name", "Augusta"));

    h.runOnce();

    assertThat(meanwhile.get()).as("Okta's change landed during the reconcile").isNull();
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.PENDING);
    assertThat(errors("REMOVAL HELD for ")).isEmpty();

    h.runOnce();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.HELD);
    assertThat(errors("REMOVAL HELD for ")).singleElement().satisfies(m -> assertThat(m).startsWith("REMOVAL HELD for user/" + ada));
  }
}
