package com.fulcrumscim.ops;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.journal.RestoreMarker;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.reconcile.Action;
import com.fulcrumscim.reconcile.AuditEntry;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.reconcile.LinkTarget;
import com.fulcrumscim.reconcile.PolicyCheck;
import com.fulcrumscim.reconcile.RemovalGuard;
import com.fulcrumscim.restore.IncompleteCarry;
import com.fulcrumscim.resync.LastResync;
import com.fulcrumscim.resync.Resync;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What {@code fulcrum-scim status} shows: one read-only snapshot of the bridge's database.
 * Nullable fields are facts that do not exist yet (nothing pending, nothing applied, not paused).
 * {@code reassignTargetGoneAt}: when the newest removal left its records unassigned because the
 * configured users.reassign_records_to member had left the organization. {@code unknownHere}: the
 * keys shown here whose variable this shell does not set (the unit's environment file is not the
 * operator's), so their value is the daemon's secret: {@code fulcrumCallsPerHour} is then null and
 * {@code target} is where the database's links point. {@code restoredAt}: when the database was
 * restored from a backup (null: never, or the restore's holds are over), and {@code heldAfterRestore}
 * the DEAD rows of users that restore holds (counted among {@code deadCount}). {@code frozenGroups}:
 * the managed groups that no longer follow Okta because groups.push is false ({@link PolicyCheck#frozenGroups}).
 * {@code heldTakeBacks}: how many of the {@code heldCount} HELD rows are role take-backs, not removals.
 * {@code daemonHoldsLease}: whether a daemon holds the writer lease, i.e. a reconciler applies changes.
 * {@code stalledServe}: what to say of a serve that holds the SQLite file but has held no writer
 * lease for a lease's life, hung or stopping (null: none).
 * {@code deadRemovals}: how many of the {@code deadCount} DEAD rows take access away (deprovisionings
 * that gave up). {@code failingRemovals}: removals not made yet whose attempts failed (through
 * Okta's later changes while they stay removals), retrying while their people keep access ({@link OpsStore#failingRemovals()}), the first of them
 * in {@code failingRemovalRows}, each error led by the person. {@code waitingRemovals}: the other
 * removals not made yet while the reconciler is paused, which the pause keeps from being tried
 * ({@link OpsStore#waitingRemovals()}), the first of them in {@code waitingRemovalRows}. {@code keepsAccess}: people Okta deactivated or deleted whom the latest resync apply
 * found still with access, left to an operator ({@link Resync#KEEPS_ACCESS}), as that apply
 * found them at {@code keepsAccessAt} (null: not recorded, by an older release). {@code carryIncomplete}:
 * what the latest restore could not carry forward from the database it replaced, until an operator
 * acknowledges it (null: nothing, or acknowledged). {@code leaseTtlsDiffer}: which running node has which
 * ha.lease_ttl, when they differ (null: they agree, or one node runs). {@code clocksOff}: which running
 * node's clock runs off the database server's, and by how much (null: none, review-s17ha F4).
 * {@code fulcrumProblems}: each running node whose Fulcrum API token is in another organization than the
 * database's links, or refused, as its node record says (review-s17ha F1, F6). {@code fulcrumCoolDown}: a 429
 * Fulcrum answered and the wait it asked for, while it lasts ({@link FulcrumCoolDown}; null: none), and
 * {@code callBudgetSpentUntil} when a call is free again while fulcrum.calls_per_hour is spent (null:
 * calls go, or the budget's variable is not set here): either holds every call to Fulcrum back.
 */
public record StatusReport(
    String target,
    String pausedReason,
    Map<String, Long> backlog,
    Long oldestPendingSeconds,
    Instant lastSuccessfulApply,
    long fulcrumCallsLastHour,
    Integer fulcrumCallsPerHour,
    long deadCount,
    List<Row> deadRows,
    long heldCount,
    List<Row> heldRows,
    long heldTakeBacks,
    long skippedCount,
    List<Row> skippedRows,
    long heldOrphanRemovals,
    LastResync lastResync,
    String writerLease,
    boolean daemonHoldsLease,
    String stalledServe,
    String reassignRecordsTo,
    Instant reassignTargetGoneAt,
    List<String> unknownHere,
    Instant restoredAt,
    long heldAfterRestore,
    long frozenGroups,
    long deadRemovals,
    long failingRemovals,
    List<Row> failingRemovalRows,
    long waitingRemovals,
    List<Row> waitingRemovalRows,
    long keepsAccess,
    Instant keepsAccessAt,
    IncompleteCarry carryIncomplete,
    String leaseTtlsDiffer,
    String clocksOff,
    List<String> fulcrumProblems,
    FulcrumCoolDown fulcrumCoolDown,
    Instant callBudgetSpentUntil) {

  /** The keys status shows, in the order it shows them. */
  private static final List<String> SHOWN = List.of("fulcrum.base_url", "fulcrum.calls_per_hour", "users.reassign_records_to");

  /** At most this many rows of each list are shown; the counts have them all. */
  public static final int DEAD_ROWS_SHOWN = 50;

  /** A work row as status lists it: dead, held or skipped {@code since}, and why. */
  public record Row(String key, int attempts, String lastError, Instant since) {}

  /**
   * Paused, or changes that will never reach Fulcrum without an operator: dead rows, and removals
   * the mass-removal guard holds, the reconciler's or a resync's orphan members (those people keep
   * access until someone approves), and the role take-backs it holds; changes waiting while no
   * daemon holds the writer lease, which nothing applies until one does; removals that keep failing
   * (their people keep access for as long as the retry budget, before any row is dead), or that a rate limit holds
   * back (as long, spending no attempt); a serve hung or stopping
   * (nothing applies changes Okta sends meanwhile, and its SCIM intake may be dead too); and people Okta took away
   * whom the latest resync found still with access (the bridge leaves them to an operator); and a
   * restore that could not carry everything forward, whose losses only an operator can find. Skipped
   * rows are shown as warnings only: they are the bridge's policy working.
   */
  public boolean needsAttention() {
    return pausedReason != null || deadCount > 0 || heldCount > 0 || heldOrphanRemovals > 0 || failingRemovals > 0
        || waitingRemovals > 0 || (!daemonHoldsLease && oldestPendingSeconds != null) || stalledServe != null
        || keepsAccess > 0 || carryIncomplete != null;
  }

  /**
   * {@code writerLease}: who holds the writer lease (the node that reconciles), in words; null when
   * nobody does; {@code daemonHoldsLease}: a daemon does, not an operator command; {@code stalledServe}:
   * see the record's, as {@code leaseTtlsDiffer} and {@code clocksOff}. {@code unresolved}:
   * the config keys whose variable this shell does not set. All of it is read in one moment of the
   * database: counts read apart can disagree (held removals less held take-backs went negative)
   * while the daemon changes rows.
   */
  public static StatusReport read(BridgeConfig config, Set<String> unresolved, Database db, Clock clock, String writerLease,
      boolean daemonHoldsLease, String stalledServe, String leaseTtlsDiffer, String clocksOff) {
    return read(config, unresolved, db, clock, writerLease, daemonHoldsLease, stalledServe, leaseTtlsDiffer, clocksOff,
        List.of());
  }

  /** {@code fulcrumProblems}: see the record's. */
  public static StatusReport read(BridgeConfig config, Set<String> unresolved, Database db, Clock clock, String writerLease,
      boolean daemonHoldsLease, String stalledServe, String leaseTtlsDiffer, String clocksOff, List<String> fulcrumProblems) {
    return db.inOneRead(snapshot -> readIn(config, unresolved, snapshot, clock, writerLease, daemonHoldsLease, stalledServe,
        leaseTtlsDiffer, clocksOff, fulcrumProblems));
  }

  private static StatusReport readIn(BridgeConfig config, Set<String> unresolved, Database db, Clock clock, String writerLease,
      boolean daemonHoldsLease, String stalledServe, String leaseTtlsDiffer, String clocksOff, List<String> fulcrumProblems) {
    OpsStore store = new OpsStore(db);
    Map<String, Long> backlog = new LinkedHashMap<>();
    store.countsByState().forEach((state, n) -> backlog.put(state.name().toLowerCase(Locale.ROOT), n));
    WorkQueue queue = new WorkQueue(db, clock);
    AuditLog audit = new AuditLog(db, clock);
    List<String> unknown = SHOWN.stream().filter(unresolved::contains).toList();
    String reassignTo = unknown.contains("users.reassign_records_to") ? null : config.users().reassignTarget();
    Instant targetGoneAt = reassignTo == null ? null : audit.lastRemoval()
        .filter(e -> Action.RemoveMember.targetGone(reassignTo).equals(e.detail())).map(AuditEntry::at).orElse(null);
    Integer callsPerHour = unknown.contains("fulcrum.calls_per_hour") ? null : config.fulcrum().callsPerHour();
    FulcrumCallLog calls = callsPerHour == null ? new FulcrumCallLog(db, clock)
        : new FulcrumCallLog(db, DatabaseClock.of(db, clock), callsPerHour);
    return new StatusReport(
        target(config, unknown, db),
        store.pauseReason().orElse(null),
        backlog,
        store.oldestUnfinishedSince().map(since -> Math.max(0, Duration.between(since, clock.instant()).toSeconds())).orElse(null),
        audit.lastApplied().orElse(null),
        calls.lastHour(),
        callsPerHour,
        backlog.get("dead"),
        rows(queue, WorkState.DEAD),
        backlog.get("held"),
        rows(queue, WorkState.HELD),
        heldTakeBacks(config, db, clock),
        backlog.get("skipped"),
        rows(queue, WorkState.SKIPPED),
        store.heldOrphanRemovals(),
        LastResync.kept(new SettingStore(db)).orElse(null),
        writerLease,
        daemonHoldsLease,
        stalledServe,
        reassignTo,
        targetGoneAt,
        unknown,
        new RestoreMarker(db).current().map(RestoreMarker.Mark::at).orElse(null),
        RestoreMarker.heldRows(queue).size(),
        PolicyCheck.frozenGroups(db, config.groups().push()),
        store.deadRemovals(),
        store.failingRemovals(),
        store.failingRemovals(DEAD_ROWS_SHOWN),
        store.waitingRemovals(),
        store.waitingRemovals(DEAD_ROWS_SHOWN),
        store.keepingAccess(),
        store.keepingAccessAt().orElse(null),
        IncompleteCarry.current(db).orElse(null),
        leaseTtlsDiffer,
        clocksOff,
        fulcrumProblems,
        calls.coolDown().orElse(null),
        calls.spentUntil().orElse(null));
  }

  private static long heldTakeBacks(BridgeConfig config, Database db, Clock clock) {
    RemovalGuard guard = new RemovalGuard(db, clock, config.guard());
    return guard.takeBacks(guard.held().stream().map(RemovalGuard.Held::userId).toList()).size();
  }

  /** With fulcrum.base_url unknown here, the Fulcrum the database's links point into is the daemon's target. */
  private static String target(BridgeConfig config, List<String> unknown, Database db) {
    if (!unknown.contains("fulcrum.base_url")) {
      return named(config.fulcrum().baseUrl());
    }
    return new SettingStore(db).get(LinkTarget.KEY)
        .map(linked -> named(linked) + " (where the database's links point; fulcrum.base_url's variable is not set here)")
        .orElse("unknown: fulcrum.base_url's variable is not set here");
  }

  private static String named(String baseUrl) {
    return BridgeConfig.Fulcrum.EMBEDDED.equals(baseUrl) ? "embedded emulator" : baseUrl;
  }

  private static List<Row> rows(WorkQueue queue, WorkState state) {
    return queue.list(state, DEAD_ROWS_SHOWN).stream()
        .map(w -> new Row(w.key().toString(), w.attempts(), w.lastError(), w.updatedAt()))
        .toList();
  }
}
