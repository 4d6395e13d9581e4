package com.fulcrumscim.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.emulator.CallCounter;
import com.fulcrumscim.fulcrum.emulator.OutageMode;
import com.fulcrumscim.testing.DesiredVsActual;
import com.fulcrumscim.testing.ReconcileHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 2,000 Okta changes while Fulcrum answers 30% of calls with 5xx, drops connections, loses some
 * answers after applying, sends bursts of 429, and is down for two minutes: the bridge converges
 * to exactly the desired state, and during the outage its circuit breaker keeps calls few.
 * Runs on the harness's settable clock (the client's waits and the emulator's outage share it).
 */
@Tag("soak")
class FaultSoakTest {
  private static final Logger log = LoggerFactory.getLogger(FaultSoakTest.class);
  static final int CHANGES = 2_000;
  static final Duration OUTAGE = Duration.ofMinutes(2);
  /**
   * The circuit opens once half of the last 20 calls failed (at most 10 more failures), stays open
   * 30 s, then lets 3 trial calls through: in two minutes at most 4 trial rounds. Calls already in
   * flight when it opens finish their attempts: parallelism 4 x 3 attempts.
   */
  static final int OUTAGE_CALL_BOUND = 10 + 4 * 3 + 4 * 3;

  @TempDir Path dir;

  @Test
  void twoThousandChangesThroughFaultsAndAnOutageConvergeWithBoundedCallsDuringTheOutage() {
    long started = System.nanoTime();
    try (ReconcileHarness h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults().withGuard(100, 1_000_000))) {
      List<String> pinned = new ArrayList<>(ChangeGenerator.UNMANAGED);
      pinned.add(h.fulcrum.ownerMembershipId());
      String unmanagedBefore = h.fulcrum.snapshotJson(pinned);
      Random random = new Random(2024);
      ChangeGenerator changes = new ChangeGenerator(random, false, "soak.example");
      h.fulcrum.faults().errorShare(0.3).dropShare(0.05).lostResponseShare(0.02);

      int made = 0;
      long callsAtOutage = 0;
      long callsAfterOutage = 0;
      Instant outageEnds = null;
      while (made < CHANGES) {
        for (int i = 0; i < 50; i++, made++) {
          changes.step(h.okta);
        }
        if (made % 400 == 0) {
          h.fulcrum.faults().rateLimitBurst(20 + random.nextInt(20), Duration.ofSeconds(1 + random.nextInt(5)));
        }
        if (made == 1_000) {
          callsAtOutage = h.calls();
          h.fulcrum.faults().outage(OUTAGE, OutageMode.UNAVAILABLE);
          outageEnds = h.clock.instant().plus(OUTAGE);
          // Okta keeps writing through the outage (the receiver does not need Fulcrum).
          for (int i = 0; i < 500; i++, made++) {
            changes.step(h.okta);
          }
          while (h.clock.instant().isBefore(outageEnds) && h.step()) {
            // cycles until the outage is over
          }
          callsAfterOutage = h.calls();
        }
        for (int i = 0; i < 5; i++) {
          h.step();
        }
      }
      int cycles = h.settle(100_000);
      long callsDuringOutage = callsAfterOutage - callsAtOutage;
      long fiveHundreds = count(h, 500) + count(h, 502) + count(h, 503);
      log.info("fault soak: {} changes, {} Fulcrum calls ({} 5xx, {} 429, {} dropped), {} calls during the {} outage "
              + "(bound {}), {} cycles to settle, {} simulated, {} s real",
          made, h.calls(), fiveHundreds, count(h, 429), count(h, CallCounter.DROPPED), callsDuringOutage, OUTAGE,
          OUTAGE_CALL_BOUND, cycles, Duration.between(java.time.Instant.parse("2026-01-01T00:00:00Z"), h.clock.instant()),
          (System.nanoTime() - started) / 1_000_000_000);

      assertThat(callsDuringOutage).as("Fulcrum calls during the outage").isLessThanOrEqualTo(OUTAGE_CALL_BOUND);
      assertThat(DesiredVsActual.unsettled(h.db)).as("rows not done").isEmpty();
      assertThat(DesiredVsActual.differences(h.db, h.fulcrum, ChangeGenerator.UNMANAGED)).isEmpty();
      assertThat(h.fulcrum.snapshotJson(pinned)).isEqualTo(unmanagedBefore);
    }
  }

  private static long count(ReconcileHarness h, int status) {
    return h.fulcrum.calls().all().stream().filter(c -> c.status() == status).mapToLong(CallCounter.CallCount::count).sum();
  }
}
