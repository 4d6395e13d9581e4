package com.fulcrumscim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpsStoreTest {
  static final int ROWS = 10;

  @TempDir Path dir;
  Database db;

  @BeforeEach
  void open() {
    db = Database.open(store());
  }

  @AfterEach
  void close() {
    db.close();
  }

  /** The store under test; the ...OnPostgresTest subclass gives a PostgreSQL one. */
  StoreLocation store() {
    return TestStore.sqlite(dir.resolve("bridge.db")).location();
  }

  @Test
  void theBacklogByStateAddsUpWhileTheReconcilerMovesRowsOn() throws Exception {
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO work (entity_type, entity_id, state, generation, "
          + "next_attempt_at, created_at, updated_at) VALUES ('USER', ?, 'PENDING', 1, 0, 0, 0)")) {
        for (int i = 0; i < ROWS; i++) {
          ps.setString(1, "u" + i);
          ps.executeUpdate();
        }
      }
      return null;
    });
    AtomicBoolean counting = new AtomicBoolean(true);
    // every row from one state to the next in one commit, over and over: at any moment all ROWS are in one state
    CompletableFuture<Void> reconciler = CompletableFuture.runAsync(() -> {
      while (counting.get()) {
        db.write(c -> {
          try (PreparedStatement ps = c.prepareStatement(
              "UPDATE work SET state = CASE state WHEN 'PENDING' THEN 'RUNNING' WHEN 'RUNNING' THEN 'DONE' ELSE 'PENDING' END")) {
            return ps.executeUpdate();
          }
        });
      }
    });
    List<Map<WorkState, Long>> wrong = new ArrayList<>();
    try {
      OpsStore store = new OpsStore(db);
      for (int i = 0; i < 500 && wrong.isEmpty(); i++) {
        Map<WorkState, Long> counts = store.countsByState();
        if (counts.values().stream().mapToLong(Long::longValue).sum() != ROWS) {
          wrong.add(counts);
        }
      }
    } finally {
      counting.set(false);
      reconciler.get(30, TimeUnit.SECONDS);
    }
    assertThat(wrong).as("counts that do not add up to the %d rows", ROWS).isEmpty();
  }
}
