package com.fulcrumscim.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.DesiredVsActual;
import com.fulcrumscim.testing.RecordingOkta;
import com.fulcrumscim.testing.ReconcileHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeded random sequences of Okta changes, many aimed at the emails and group names of members
 * and groups the bridge does not own (adopt_existing false), against an emulator seeded with them:
 * once the reconciler settles, those unmanaged entities are byte-identical, and everything the
 * bridge does own is exactly as desired.
 */
class UnmanagedInvariantTest {
  private static final Logger log = LoggerFactory.getLogger(UnmanagedInvariantTest.class);

  @TempDir Path dir;

  /** One sequence on a fresh harness; returns the number of changes. */
  int sequence(long seed) throws Exception {
    Random random = new Random(seed);
    try (ReconcileHarness h = new ReconcileHarness(Files.createDirectory(dir.resolve("seq-" + seed)),
        ReconcileHarness.Options.defaults().withGuard(100, 1_000_000))) {
      List<String> pinned = new ArrayList<>(ChangeGenerator.UNMANAGED);
      pinned.add(h.fulcrum.ownerMembershipId());
      String before = h.fulcrum.snapshotJson(pinned);
      RecordingOkta okta = new RecordingOkta(h.okta);
      ChangeGenerator changes = new ChangeGenerator(random, true, "corp.example");
      int count = 5 + random.nextInt(20);
      for (int i = 0; i < count; i++) {
        changes.step(okta);
        if (random.nextInt(4) == 0) {
          h.runOnce(); // sometimes the reconciler runs between changes, sometimes they coalesce
          okta.note("cycle");
        }
      }
      h.settle(5_000);
      assertThat(h.fulcrum.snapshotJson(pinned)).as("seed %d: unmanaged members and groups after %s", seed, okta)
          .isEqualTo(before);
      assertThat(DesiredVsActual.differences(h.db, h.fulcrum, ChangeGenerator.UNMANAGED))
          .as("seed %d: managed entities after %s", seed, okta).isEmpty();
      return count;
    }
  }

  void sequences(long firstSeed, int count) throws Exception {
    long started = System.nanoTime();
    int changes = 0;
    for (long seed = firstSeed; seed < firstSeed + count; seed++) {
      changes += sequence(seed);
    }
    log.info("unmanaged invariant: {} sequences, {} changes, {} ms", count, changes, (System.nanoTime() - started) / 1_000_000);
  }

  @Test
  void thirtyRandomSequencesLeaveUnmanagedEntitiesByteIdentical() throws Exception {
    sequences(1, 30);
  }

  @Test
  @Tag("reliability")
  void aThousandRandomSequencesLeaveUnmanagedEntitiesByteIdentical() throws Exception {
    sequences(10_000, 1_000);
  }
}
