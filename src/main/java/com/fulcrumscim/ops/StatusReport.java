package com.fulcrumscim.ops;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.resync.LastResync;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code fulcrum-scim status} shows: one read-only snapshot of the bridge's database.
 * Nullable fields are facts that do not exist yet (nothing pending, nothing applied, not paused).
 */
public record StatusReport(
    String target,
    String pausedReason,
    Map<String, Long> backlog,
    Long oldestPendingSeconds,
    Instant lastSuccessfulApply,
    long fulcrumCallsLastHour,
    int fulcrumCallsPerHour,
    long deadCount,
    List<DeadRow> deadRows,
    LastResync lastResync) {

  /** At most this many dead rows are listed; {@code deadCount} has them all. */
  public static final int DEAD_ROWS_SHOWN = 50;

  public record DeadRow(String key, int attempts, String lastError, Instant since) {}

  /** Paused, or changes that will never reach Fulcrum without an operator. */
  public boolean needsAttention() {
    return pausedReason != null || deadCount > 0;
  }

  public static StatusReport read(BridgeConfig config, Database db, Clock clock) {
    OpsStore store = new OpsStore(db);
    Map<String, Long> backlog = new LinkedHashMap<>();
    store.countsByState().forEach((state, n) -> backlog.put(state.name().toLowerCase(Locale.ROOT), n));
    List<DeadRow> dead = new WorkQueue(db, clock).list(WorkState.DEAD, DEAD_ROWS_SHOWN).stream()
        .map(StatusReport::deadRow)
        .toList();
    return new StatusReport(
        config.fulcrum().embedded() ? "embedded emulator" : config.fulcrum().baseUrl(),
        store.pauseReason().orElse(null),
        backlog,
        store.oldestUnfinishedSince().map(since -> Math.max(0, Duration.between(since, clock.instant()).toSeconds())).orElse(null),
        new AuditLog(db, clock).lastApplied().orElse(null),
        new FulcrumCallLog(db, clock).lastHour(),
        config.fulcrum().callsPerHour(),
        backlog.get("dead"),
        dead,
        LastResync.kept(new SettingStore(db)).orElse(null));
  }

  private static DeadRow deadRow(WorkItem item) {
    return new DeadRow(item.key().toString(), item.attempts(), item.lastError(), item.updatedAt());
  }
}
