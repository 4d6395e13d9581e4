package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.ops.OpsStore;
import com.fulcrumscim.testing.CapturedLogs;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A deprovisioning that gives up (its work row DEAD: blocked at once, or out of its retry budget)
 * leaves the person their access until an operator acts, so it is an ERROR line with the reason,
 * as a removal the mass-removal guard holds is. Other dead rows keep the person out, not in.
 */
class DeadDeprovisioningLogTest extends EndToEnd {
  static final String DEAD = "DEPROVISIONING DEAD for ";

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  private List<String> errors() {
    return logs.events().stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void aDeactivationBlockedAtOnceIsAnErrorLineWithTheReason() {
    start();
    String taken = h.okta.user("taken@corp.example", "Hand", "Made", null);
    h.settle();

    h.okta.set(taken, "active", 0);
    h.settle();

    assertThat(h.row(ResourceKey.user(taken)).state()).isEqualTo(WorkState.DEAD);
    assertThat(errors()).filteredOn(m -> m.startsWith(DEAD)).singleElement().satisfies(m ->
        assertThat(m).startsWith(DEAD + "user/" + taken + ": ").contains("not managed by the bridge, still has access"));
  }

  @Test
  void aRemovalFulcrumNeverCarriesOutIsAnErrorLineOnceItsRetryBudgetRunsOut() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.fulcrum.faults().deletesIgnored(true);
    h.okta.set(ada, "active", 0);
    h.runOnce();
    assertThat(errors()).as("retrying, not dead yet").noneMatch(m -> m.startsWith(DEAD));

    h.clock.tick(Duration.ofHours(25));
    h.runOnce();

    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DEAD);
    assertThat(errors()).filteredOn(m -> m.startsWith(DEAD)).singleElement().satisfies(m ->
        assertThat(m).startsWith(DEAD + "user/" + ada + ": ").contains("retry budget of 24h"));
  }

  /** Another change that gives up keeps a person out, not in: a WARN line, so the log shows it too. */
  @Test
  void aPushGivenUpOnIsAWarnLineNamingTheCommandThatRetriesIt() {
    start();
    String bogus = h.okta.user("newhire@corp.example", "New", "Hire", "Bogus");

    h.settle();

    assertThat(h.row(ResourceKey.user(bogus)).state()).isEqualTo(WorkState.DEAD);
    assertThat(errors()).noneMatch(m -> m.startsWith(DEAD));
    assertThat(logs.events().stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage))
        .filteredOn(m -> m.startsWith("DEAD for user/" + bogus + ": ")).singleElement().asString()
        .contains("Bogus").endsWith("`fulcrum-scim journal retry user/" + bogus + "` once that is resolved");
  }

  /** The reactivation takes the deactivation's removal flag off the row: the reconcile that gives up is a push. */
  @Test
  void aPushGivenUpOnAfterAReactivationIsNoDeadDeprovisioning() {
    start();
    String taken = h.okta.user("taken@corp.example", "Hand", "Made", null);
    h.okta.set(taken, "active", 0);
    h.okta.set(taken, "active", 1);
    assertThat(h.row(ResourceKey.user(taken)).removal()).as("the reactivation's intake clears the flag").isFalse();

    h.settle();

    assertThat(h.row(ResourceKey.user(taken)).state()).isEqualTo(WorkState.DEAD);
    assertThat(errors()).noneMatch(m -> m.startsWith(DEAD));
    assertThat(new OpsStore(h.db).deadRemovals()).as("the gauge and status count").isZero();
  }

  @Test
  void aDeactivationBlockedAtOnceCountsAsADeadRemoval() {
    start();
    String taken = h.okta.user("taken@corp.example", "Hand", "Made", null);
    h.settle();

    h.okta.set(taken, "active", 0);
    h.settle();

    assertThat(new OpsStore(h.db).deadRemovals()).isEqualTo(1);
  }

  @Test
  void aDeadPushIsNoDeprovisioningErrorLine() {
    start();
    String taken = h.okta.user("taken@corp.example", "Hand", "Made", null);
    h.settle();

    assertThat(h.row(ResourceKey.user(taken)).state()).isEqualTo(WorkState.DEAD);
    assertThat(errors()).noneMatch(m -> m.startsWith(DEAD));
  }
}
