package com.fulcrumscim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreLocation;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What status reports, read while the daemon changes the rows it counts. */
class StatusReportTest {
  static final BridgeConfig CONFIG = ConfigLoader.fromSystemEnvironment().defaults();
  static final int HELD = 5;

  @TempDir Path dir;
  Database db;

  StoreLocation store() {
    return new StoreLocation.SqliteFile(dir.resolve("bridge.db"));
  }

  @BeforeEach
  void open() {
    db = Database.open(store());
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void theCountsComeFromOneMomentSoTheyAddUpWhileTheDaemonChangesRows() {
    for (int i = 0; i < HELD; i++) {
      row("u-held-" + i, "HELD");
    }
    row("u-waiting", "PENDING"); // status reads the clock to age it, between its other reads
    DaemonAtWork clock = new DaemonAtWork();

    StatusReport report = StatusReport.read(CONFIG, Set.of(), db, clock, null, false, null, null, null);

    assertThat(clock.moved).as("rows moved while status read").hasPositiveValue();
    assertThat(report.deadCount() + report.heldCount()).isEqualTo(HELD);
    assertThat(report.deadRows()).hasSize((int) report.deadCount());
    assertThat(report.heldRows()).hasSize((int) report.heldCount());
    assertThat(report.backlog()).containsEntry("dead", report.deadCount()).containsEntry("held", report.heldCount());
  }

  private void row(String id, String state) {
    long now = System.currentTimeMillis();
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO work (entity_type, entity_id, state, generation, "
        + "attempts, next_attempt_at, created_at, updated_at, removal) VALUES ('USER', '" + id + "', '" + state + "', 1, 0, "
        + now + ", " + now + ", " + now + ", " + ("HELD".equals(state) ? 1 : 0) + ")"));
  }

  /**
   * The daemon working while status reads: each time status looks at the clock, one more held
   * removal has been approved and has failed for good (DEAD) meanwhile, committed apart from the read.
   */
  private final class DaemonAtWork extends Clock {
    final AtomicInteger moved = new AtomicInteger();

    @Override
    public Instant instant() {
      moved.addAndGet(db.write(c -> c.createStatement().executeUpdate("UPDATE work SET state = 'DEAD' WHERE "
          + "entity_type = 'USER' AND entity_id = (SELECT min(entity_id) FROM work WHERE state = 'HELD')")));
      return Instant.now();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
