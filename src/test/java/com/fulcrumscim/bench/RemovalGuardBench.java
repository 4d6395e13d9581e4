package com.fulcrumscim.bench;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.reconcile.RemovalGuard;
import com.fulcrumscim.testing.DesiredFixture;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a deactivation storm costs the mass-removal guard: each removal's check counts the removals
 * pending, so a storm of N costs N checks over N queued rows. 10,000 managed members on SQLite (a
 * file), N deactivations queued, then one check per deactivation, as the reconciler makes them:
 * {@link RemovalGuard.Cycle#holds}, a new cycle every {@link #BATCH} (reconcile.batch_size's
 * default), under the threshold (guard at 100%: each answered by its upper bound) and over it (the
 * defaults, 10%: each held, on the cycle's exact count). Report: bench/results/guard.txt.
 */
@Tag("bench")
class RemovalGuardBench {
  static final int MANAGED = 10_000;
  /** Rows claimed per reconcile cycle: reconcile.batch_size's default. */
  static final int BATCH = 100;
  @TempDir Path dir;

  @Test
  void checksOfADeactivationStorm() throws Exception {
    List<String> report = new ArrayList<>();
    report.add("RemovalGuard.Cycle.holds, one per deactivation of a storm, a cycle per " + BATCH + ", " + MANAGED
        + " managed members, SQLite file");
    report.add(String.format(Locale.ROOT, "%-10s %-26s %10s %10s %10s %12s", "storm", "verdict", "median ms", "p90 ms",
        "max ms", "all checks s"));
    for (int storm : new int[] {1_000, 5_000}) {
      try (Database db = Database.open(TestStore.sqlite(dir.resolve("storm-" + storm + ".db")).location())) {
        List<String> leavers = storm(db, storm);
        for (int percent : new int[] {100, 10}) {
          RemovalGuard guard = new RemovalGuard(db, Clock.systemUTC(), percent, 20, Duration.ofHours(1));
          RemovalGuard.Removing removing = new RemovalGuard.Removing(false, u -> false);
          // warm: the JIT and SQLite's page cache, as a running daemon has them
          RemovalGuard.Cycle cycle = guard.cycle();
          for (String id : leavers.subList(0, Math.min(200, storm))) {
            cycle.holds(id, "m-" + id, removing);
          }
          long[] nanos = new long[storm];
          int held = 0;
          for (int i = 0; i < storm; i++) {
            String id = leavers.get(i);
            long start = System.nanoTime();
            if (i % BATCH == 0) {
              cycle = guard.cycle();
            }
            held += cycle.holds(id, "m-" + id, removing).isPresent() ? 1 : 0;
            nanos[i] = System.nanoTime() - start;
          }
          long total = Arrays.stream(nanos).sum();
          Arrays.sort(nanos);
          report.add(String.format(Locale.ROOT, "%,10d %-26s %10.3f %10.3f %10.3f %12.2f", storm,
              held == 0 ? "under (" + percent + "%)" : held + " held (" + percent + "%)", nanos[storm / 2] / 1e6,
              nanos[storm * 9 / 10] / 1e6, nanos[storm - 1] / 1e6, total / 1e9));
        }
      }
    }
    Path out = Path.of("bench/results/guard.txt");
    Files.createDirectories(out.getParent());
    Files.write(out, report);
    report.forEach(System.out::println);
  }

  /** {@link #MANAGED} linked users, {@code storm} of them deactivated and queued; returns those. */
  private static List<String> storm(Database db, int storm) {
    WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
    DesiredFixture okta = new DesiredFixture(db, queue, Clock.systemUTC());
    List<String> users = new ArrayList<>();
    for (int i = 0; i < MANAGED; i++) {
      users.add(okta.user("staff-" + i + "@corp.example", "Staff", "No" + i, null));
    }
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) "
          + "VALUES ('USER', ?, ?, 'CREATED', 0)")) {
        for (String id : users) {
          ps.setString(1, id);
          ps.setString(2, "m-" + id);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      // the creates reconciled: only the storm is queued
      c.createStatement().executeUpdate("UPDATE work SET state = 'DONE'");
      return null;
    });
    List<String> leavers = users.subList(0, storm);
    leavers.forEach(id -> okta.set(id, "active", 0));
    return leavers;
  }
}
