package com.fulcrumscim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.JournalStore;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionServiceTest {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  static final Instant OLD = NOW.minus(Duration.ofDays(100));
  static final Instant RECENT = NOW.minus(Duration.ofDays(10));

  @TempDir Path dir;
  final SettableClock clock = new SettableClock(NOW);
  Database db;
  WorkQueue queue;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("r.db"));
    queue = new WorkQueue(db, clock);
  }

  @AfterEach
  void close() {
    db.close();
  }

  RetentionService.Pruned prune(Duration journal, Duration audit) {
    try (RetentionService service = new RetentionService(db, new JournalStore(), new AuditLog(db, clock),
        new BridgeConfig.Retention(journal, audit), clock)) {
      return service.pruneOnce();
    }
  }

  @Test
  void oldJournalRowsOfASettledUserGoButItsNewestStays() {
    settled(ResourceKey.user("u1"));
    long first = journal("u1", OLD);
    long second = journal("u1", OLD.plusSeconds(60));
    long recent = journal("u1", RECENT);
    long onlyOld = journal("u2", OLD);
    settled(ResourceKey.user("u2"));
    assertThat(prune(Duration.ofDays(90), Duration.ofDays(90)).journal()).isEqualTo(2);
    assertThat(journalIds()).containsExactly(recent, onlyOld).doesNotContain(first, second);
  }

  @Test
  void journalRowsOfAUserWhoseChangeHasNotReachedFulcrumAreKept() {
    queue.enqueue(ResourceKey.user("pending"));
    ResourceKey deadKey = ResourceKey.user("dead");
    journal("dead", OLD);
    journal("dead", OLD.plusSeconds(1));
    queue.enqueue(deadKey);
    WorkItem claimed = queue.claim(10).stream().filter(w -> w.key().equals(deadKey)).findFirst().orElseThrow();
    queue.dead(claimed, "422");
    journal("pending", OLD);
    journal("pending", OLD.plusSeconds(1));
    assertThat(prune(Duration.ofDays(90), Duration.ofDays(90)).journal()).isZero();
    assertThat(journalIds()).hasSize(4);
  }

  @Test
  void oldAuditRowsGoButTheNewestSuccessfulWriteStaysSoStatusStillKnowsIt() {
    settled(ResourceKey.user("u1"));
    audit("u1", OLD, "ok");
    audit("u1", OLD.plusSeconds(60), "ok");
    audit("u1", OLD.plusSeconds(120), "422 rejected");
    long recent = audit("u1", RECENT, "429 throttled");
    Instant lastApplied = new AuditLog(db, clock).lastApplied().orElseThrow();
    assertThat(prune(Duration.ofDays(90), Duration.ofDays(90)).audit()).isEqualTo(2);
    assertThat(new AuditLog(db, clock).lastApplied()).hasValue(lastApplied);
    assertThat(auditIds()).hasSize(2).contains(recent);
  }

  @Test
  void aLargeBacklogIsPrunedCompletelyInBatches() {
    settled(ResourceKey.user("u1"));
    int rows = RetentionService.BATCH * 2 + 500;
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO reconcile_audit (at, entity_type, scim_id, action, "
          + "result) VALUES (?, 'USER', 'u1', 'UPDATE_MEMBER', '500')")) {
        for (int i = 0; i < rows; i++) {
          ps.setLong(1, OLD.toEpochMilli() + i);
          ps.addBatch();
        }
        return ps.executeBatch();
      }
    });
    assertThat(prune(Duration.ofDays(90), Duration.ofDays(90)).audit()).isEqualTo(rows);
    assertThat(auditIds()).isEmpty();
  }

  @Test
  void zeroKeepsRowsForever() {
    settled(ResourceKey.user("u1"));
    journal("u1", OLD);
    journal("u1", OLD.plusSeconds(1));
    audit("u1", OLD, "500");
    assertThat(prune(Duration.ZERO, Duration.ZERO)).isEqualTo(new RetentionService.Pruned(0, 0));
    assertThat(journalIds()).hasSize(2);
    assertThat(auditIds()).hasSize(1);
  }

  private void settled(ResourceKey key) {
    queue.enqueue(key);
    queue.claim(10).forEach(queue::done);
  }

  private long journal(String userId, Instant at) {
    return db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO journal (received_at, request_id, entity_type, "
          + "entity_id, op, body) VALUES (?, 'r', 'USER', ?, 'PATCH', '{}') RETURNING id")) {
        ps.setLong(1, at.toEpochMilli());
        ps.setString(2, userId);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  private long audit(String userId, Instant at, String result) {
    return db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO reconcile_audit (at, entity_type, scim_id, action, "
          + "result) VALUES (?, 'USER', ?, 'UPDATE_MEMBER', ?) RETURNING id")) {
        ps.setLong(1, at.toEpochMilli());
        ps.setString(2, userId);
        ps.setString(3, result);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  private List<Long> journalIds() {
    return ids("SELECT id FROM journal ORDER BY id");
  }

  private List<Long> auditIds() {
    return ids("SELECT id FROM reconcile_audit ORDER BY id");
  }

  private List<Long> ids(String sql) {
    return db.read(c -> {
      List<Long> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
      return out;
    });
  }
}
