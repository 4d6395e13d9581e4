package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.ops.WriteTest;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import org.junit.jupiter.api.Test;

/** Every test of {@link WriteTestHoldsTheLeaseTest} on a PostgreSQL database of its own, and a standby's take-over. */
@RequiresPostgres
class WriteTestHoldsTheLeaseOnPostgresTest extends WriteTestHoldsTheLeaseTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }

  @Override
  String whoMayTakeALapsedLeaseOver() {
    return "a standby taking over or a restarting `fulcrum-scim serve`";
  }

  /**
   * A leader stopped cleanly on PostgreSQL leaves its lease for a standby to take within two thirds
   * of its life: a write test run right then took it, and kept the standby out for its whole run
   * (review-session F6).
   */
  @Test
  void refusedInOneLineRightAfterALeadersCleanStopAndNothingIsCalled() throws Exception {
    leaseTtl = java.time.Duration.ofSeconds(60); // its two thirds outlast the test however slow the machine
    bridge(fulcrum.baseUrl()).stop();
    fulcrum.calls().reset();

    Refused r = writeTest();

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("a daemon's writer lease (").contains(") was given up by a clean stop at ")
        .contains("; a standby may take it until ").endsWith("nothing was written").doesNotContain("\n");
    assertThat(fulcrum.calls().all()).isEmpty();
    assertThat(fulcrum.members()).noneMatch(m -> m.email().startsWith(WriteTest.MARKER));
  }
}
