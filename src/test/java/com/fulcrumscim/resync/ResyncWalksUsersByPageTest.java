package com.fulcrumscim.resync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.reconcile.ManagedOrg;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.testing.TestStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resync reads the users a page at a time ({@link DriftFinder#PAGE}): a user past the first page is
 * planned and counted like the first, each once.
 */
class ResyncWalksUsersByPageTest {
  @TempDir Path dir;

  @Test
  void aUserPastTheFirstPageIsPlannedAndEveryUserCountedOnce() {
    int users = DriftFinder.PAGE + 1;
    ManagedOrg org = new ManagedOrg(users, 1, 2);
    try (Database db = Database.open(TestStore.sqlite(dir.resolve("bridge.db")).location());
        FulcrumEmulator fulcrum = FulcrumEmulator.builder().seed(org.fulcrumSide()).callsPerHour(0).build().start();
        HttpFulcrumClient client = new HttpFulcrumClient(FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(), 3_600_000,
            Duration.ofSeconds(5), Duration.ofSeconds(5)), new SimpleMeterRegistry(), Clock.systemUTC(), Sleeper.REAL,
            FulcrumCallListener.NONE)) {
      org.writeBridgeSide(db);
      client.deleteMember("m-" + DriftFinder.PAGE, fulcrum.ownerMembershipId()); // the last user's member, by hand
      ReconcileSettings settings = new ReconcileSettings(false, null, false, Map.of(), "", false,
          Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(70));
      Resync resync = new Resync(client, db, settings, Clock.systemUTC(), Sleeper.REAL);
      ResyncReport report;
      try {
        report = resync.dryRun(Progress.NONE);
      } finally {
        resync.close();
      }

      assertThat(report.plan()).singleElement().satisfies(d -> {
        assertThat(d.key()).isEqualTo(ResourceKey.user(ManagedOrg.userId(DriftFinder.PAGE)).toString());
        assertThat(d.action()).isEqualTo("recreate");
      });
      assertThat(report.totals().checked()).isEqualTo(users);
    }
  }
}
