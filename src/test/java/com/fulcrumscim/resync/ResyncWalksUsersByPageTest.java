package com.fulcrumscim.resync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

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
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resync reads the users a page at a time ({@link DriftFinder#PAGE}): a user past the first page is
 * planned and counted like the first, and every user, leavers included, once.
 */
class ResyncWalksUsersByPageTest {
  @TempDir Path dir;
  private FulcrumEmulator fulcrum;

  @Test
  void aUserPastTheFirstPageIsPlannedAndEveryUserCountedOnce() {
    int users = DriftFinder.PAGE + 1;
    ResyncReport report = dryRun(users, (db, client) ->
        client.deleteMember("m-" + DriftFinder.PAGE, fulcrum.ownerMembershipId())); // the last user's member, by hand

    assertThat(report.plan()).singleElement().satisfies(d -> {
      assertThat(d.key()).isEqualTo(key(DriftFinder.PAGE));
      assertThat(d.action()).isEqualTo("recreate");
    });
    assertThat(report.totals().checked()).isEqualTo(users);
  }

  /**
   * Leavers on both sides of a page's edge and each kind of user the walk over active users does not
   * reach: deactivated and linked (the last of the first page), deactivated with its link gone and its
   * member still there (the first of the next), deleted with a tombstone or without one, still
   * linked, and deleted with a tombstone, no link and its member still there.
   */
  @Test
  void everyLeaverIsPlannedOnceWhereverItsPageEnds() {
    int last = DriftFinder.PAGE - 1;
    int next = DriftFinder.PAGE;
    ResyncReport report = dryRun(DriftFinder.PAGE + 3, (db, client) -> db.write(c -> {
      c.createStatement().executeUpdate("UPDATE scim_user SET active = 0 WHERE id IN ('" + ManagedOrg.userId(last)
          + "', '" + ManagedOrg.userId(next) + "')");
      c.createStatement().executeUpdate("DELETE FROM link WHERE scim_id IN ('" + ManagedOrg.userId(next) + "', '"
          + ManagedOrg.userId(0) + "')");
      for (int deleted : new int[] {0, next + 1, next + 2}) {
        c.createStatement().executeUpdate("DELETE FROM scim_user WHERE id = '" + ManagedOrg.userId(deleted) + "'");
      }
      for (int tombstone : new int[] {0, next + 1}) {
        String email = "seed-" + tombstone + "@example.com";
        c.createStatement().executeUpdate("INSERT INTO user_tombstone (scim_id, user_name, email, deleted_at, left_at, "
            + "left_with_email, left_with_key) VALUES ('" + ManagedOrg.userId(tombstone) + "', '" + email + "', '" + email
            + "', 0, 0, '" + email + "', '" + email + "')");
      }
      return null;
    }));

    assertThat(report.plan()).extracting(Drift::key, d -> d.action().startsWith("report only") ? "report only" : d.action(),
        Drift::keepsAccess).containsExactlyInAnyOrder(
            tuple(key(last), "remove", false),
            tuple(key(next), "report only", true),
            tuple(key(next + 1), "remove", false),
            tuple(key(next + 2), "remove", false),
            tuple(key(0), "report only", true));
    assertThat(report.totals().checked()).as("the linked users").isEqualTo(DriftFinder.PAGE + 1);
  }

  private static String key(int user) {
    return ResourceKey.user(ManagedOrg.userId(user)).toString();
  }

  /** A dry run over {@code users} linked users, each with its member, once {@code edit} has changed them. */
  private ResyncReport dryRun(int users, BiConsumer<Database, HttpFulcrumClient> edit) {
    ManagedOrg org = new ManagedOrg(users, 0, 0);
    try (Database db = Database.open(TestStore.sqlite(dir.resolve("bridge.db")).location());
        FulcrumEmulator emulator = FulcrumEmulator.builder().seed(org.fulcrumSide()).callsPerHour(0).build().start();
        HttpFulcrumClient client = new HttpFulcrumClient(FulcrumSettings.of(emulator.baseUrl(), emulator.token(), 3_600_000,
            Duration.ofSeconds(5), Duration.ofSeconds(5)), new SimpleMeterRegistry(), Clock.systemUTC(), Sleeper.REAL,
            FulcrumCallListener.NONE)) {
      fulcrum = emulator;
      org.writeBridgeSide(db);
      edit.accept(db, client);
      ReconcileSettings settings = new ReconcileSettings(false, null, false, Map.of(), "", false,
          Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(70));
      Resync resync = new Resync(client, db, settings, Clock.systemUTC(), Sleeper.REAL);
      try {
        return resync.dryRun(Progress.NONE);
      } finally {
        resync.close();
      }
    }
  }
}
