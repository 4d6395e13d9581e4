package com.fulcrumscim.ops;

import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.scim.AuthRefusal;
import com.fulcrumscim.scim.Deprovisioning;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bridge's Prometheus series, all named {@code fulcrum_scim_*} (the Fulcrum client's are
 * {@code fulcrum_scim_fulcrum_*}); JVM and process series keep Micrometer's standard {@code jvm_*},
 * {@code process_*} and {@code system_*} names so stock dashboards work. Gauges query SQLite when
 * scraped (one indexed read each), so they are right even for work another process changed.
 * etc/fulcrum-scim-dashboard.json and etc/fulcrum-scim-alerts.yml use these names.
 *
 * <ul>
 *   <li>{@code fulcrum_scim_work{state}}: work rows by state (dead rows: {@code state="dead"}; removals and role take-backs the
 *       mass-removal guard holds: {@code state="held"}, alerted on by etc/fulcrum-scim-alerts.yml)
 *   <li>{@code fulcrum_scim_work_dead_removals}: dead rows among them whose change takes access away, alerted on
 *       (critical) by etc/fulcrum-scim-alerts.yml
 *   <li>{@code fulcrum_scim_work_retrying_removals}: deprovisionings retrying after failed attempts, or waiting on a
 *       pause or held back by a rate limit (Fulcrum's 429, the call budget), whose people keep access meanwhile, alerted on (critical) by etc/fulcrum-scim-alerts.yml long before they are dead
 *   <li>{@code fulcrum_scim_resync_keeps_access}: people Okta deactivated or deleted whom the latest resync apply
 *       found still with access, alerted on by etc/fulcrum-scim-alerts.yml
 *   <li>{@code fulcrum_scim_resync_orphan_removals_held}: orphan member removals the guard held at the latest
 *       resync (no work row carries them), alerted on by etc/fulcrum-scim-alerts.yml
 *   <li>{@code fulcrum_scim_restore_carry_incomplete}: 1 while a restore's carry forward is incomplete and not yet
 *       acknowledged ({@code fulcrum-scim restore acknowledge}), alerted on (critical) by etc/fulcrum-scim-alerts.yml
 *   <li>{@code fulcrum_scim_oldest_pending_age_seconds}: how long the oldest unfinished change has waited
 *   <li>{@code fulcrum_scim_reconciler_paused}: 1 while the reconciler is paused
 *   <li>{@code fulcrum_scim_last_apply_timestamp_seconds}, {@code fulcrum_scim_last_resync_timestamp_seconds}
 *   <li>{@code fulcrum_scim_requests_seconds{method,route,status}}: SCIM request latency histogram
 *   <li>{@code fulcrum_scim_auth_failures_total{reason}}: SCIM requests refused for their authentication
 *       ({@link AuthRefusal}); wrong tokens sustained are alerted on (critical) by etc/fulcrum-scim-alerts.yml
 *   <li>{@code fulcrum_scim_reconcile_outcomes_total{kind}}
 *   <li>{@code fulcrum_scim_unknown_id_writes_total{op}}: SCIM writes to user or group ids the bridge does not have,
 *       a user's deactivations and deletes apart ({@link Deprovisioning})
 *   <li>{@code fulcrum_scim_acknowledged_to_applied_seconds}: from Okta's 2xx to the change in Fulcrum
 *   <li>{@code fulcrum_scim_fulcrum_cool_down_seconds}: what is left of Fulcrum's 429 wait, 0 when none
 *   <li>{@code fulcrum_scim_build_info{version,commit}}: always 1
 * </ul>
 */
public final class BridgeMetrics {
  private static final Duration[] REQUEST_BUCKETS = durations(TimeUnit.MILLISECONDS, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000);
  private static final Duration[] APPLIED_BUCKETS = durations(TimeUnit.SECONDS, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600);

  private static final String STARTED = "fulcrum-scim.started-nanos";
  /** The unknown-id counter's {@code op} for a write that takes no user's access away. */
  private static final String OTHER_WRITE = "other";

  private final MeterRegistry registry;
  private final Map<AuthRefusal, Counter> authFailures = new EnumMap<>(AuthRefusal.class);
  private final Counter claimsLost;
  /** By the {@code op} label: {@link Deprovisioning.Op#label()}, or {@value #OTHER_WRITE}. */
  private final Map<String, Counter> unknownIdWrites = new HashMap<>();
  private final Timer acknowledgedToApplied;
  private final Map<String, Timer> scimRequests = new ConcurrentHashMap<>();

  public BridgeMetrics(MeterRegistry registry, OpsStore store, Clock clock) {
    this.registry = registry;
    for (WorkState state : WorkState.values()) {
      Gauge.builder("fulcrum.scim.work", store, s -> s.count(state))
          .tag("state", state.name().toLowerCase(Locale.ROOT))
          .description("Work rows (one per user or group) by state")
          .strongReference(true)
        .register(registry);
    }
    Gauge.builder("fulcrum.scim.oldest.pending.age", store, s -> s.oldestUnfinishedSince()
            .map(since -> (double) Math.max(0, Duration.between(since, clock.instant()).toSeconds()))
            .orElse(0.0))
        .baseUnit("seconds")
        .description("How long the oldest change not yet applied to Fulcrum has waited")
        .strongReference(true)
        .register(registry);
    Gauge.builder("fulcrum.scim.reconciler.paused", store, s -> s.pauseReason().isPresent() ? 1 : 0)
        .description("1 while the reconciler is paused (see `fulcrum-scim status` for why)")
        .strongReference(true)
        .register(registry);
    Gauge.builder("fulcrum.scim.work.dead.removals", store, OpsStore::deadRemovals)
        .description("DEAD work rows whose change takes access away (deactivations, deletes, members taken out of groups):"
            + " those people keep access until an operator acts (`fulcrum-scim journal list --state dead`)")
        .strongReference(true)
        .register(registry);
    Gauge.builder("fulcrum.scim.work.retrying.removals", store, s -> s.failingRemovals() + s.waitingRemovals())
        .description("Deprovisionings retrying after failed attempts (Fulcrum errs, or answers and keeps the member),"
            + " or waiting while the reconciler is paused on a refused token (no attempt spent):"
            + " those people keep access until one succeeds, for up to reconcile.retry_budget before the row is dead"
            + " (`fulcrum-scim status` names them)")
        .strongReference(true)
        .register(registry);
    Gauge.builder("fulcrum.scim.resync.keeps.access", store, OpsStore::keepingAccess)
        .description("People Okta deactivated or deleted whom the latest resync apply found still with access in Fulcrum,"
            + " left to an operator: a member the bridge does not manage has their email, or they are the API token's owner")
        .strongReference(true)
        .register(registry);
    Gauge.builder("fulcrum.scim.resync.orphan.removals.held", store, s -> s.heldOrphanRemovals())
        .description("Orphan members the mass-removal guard held at the latest resync: those people keep access "
            + "until `fulcrum-scim resync --approve-removals=N`")
        .strongReference(true)
        .register(registry);
    Gauge.builder("fulcrum.scim.restore.carry.incomplete", store, s -> s.restoreCarryIncomplete() ? 1 : 0)
        .description("1 while a restore could not carry forward everything the replaced database held newer than the"
            + " backup (a deactivation among it leaves that person's access), until an operator follows the README and"
            + " runs `fulcrum-scim restore acknowledge`; `fulcrum-scim status` lists what was lost")
        .strongReference(true)
        .register(registry);
    timestamp("fulcrum.scim.last.apply.timestamp", store, OpsStore::lastApplied,
        "When Fulcrum last accepted a write from the bridge (Unix seconds; 0: never)");
    timestamp("fulcrum.scim.last.resync.timestamp", store, OpsStore::lastResyncFinished,
        "When the last scheduled resync finished (Unix seconds; 0: never)");
    // Registered up front, as the alert on wrong tokens reads each reason's rate
    for (AuthRefusal reason : AuthRefusal.values()) {
      authFailures.put(reason, Counter.builder("fulcrum.scim.auth.failures")
          .tag("reason", reason.label())
          .description("SCIM requests refused for their authentication: no bearer token, a wrong one (the identity"
              + " provider's after a token rotation), or throttled (429) after too many failures from one address")
          .register(registry));
    }
    // Registered up front: an alert on its increase needs the series before the first loss.
    claimsLost = Counter.builder("fulcrum.scim.reconcile.claims.lost")
        .description("Reconciles whose outcome was dropped because another node took the row over (this node stalled past its writer lease)")
        .register(registry);
    // Each op up front, for the alert's increase
    for (String op : Stream.concat(Stream.of(OTHER_WRITE), Stream.of(Deprovisioning.Op.values()).map(Deprovisioning.Op::label))
        .toList()) {
      unknownIdWrites.put(op, Counter.builder("fulcrum.scim.unknown.id.writes")
          .tag("op", op)
          .description("SCIM PUT, PATCH and DELETE requests answered 404: the identity provider wrote to a user or group id"
              + " the bridge does not have (its state was lost: an older backup restored, a wrong storage.path);"
              + " op: deactivate_user, delete_user (people who may keep access in Fulcrum), other")
          .register(registry));
    }
    acknowledgedToApplied = Timer.builder("fulcrum.scim.acknowledged.to.applied")
        .description("From the bridge's 2xx to Okta to Fulcrum having the change")
        .serviceLevelObjectives(APPLIED_BUCKETS)
        .register(registry);
  }

  /** {@code fulcrum_scim_build_info{version,commit} 1}: which build answers, for dashboards and alerts. */
  public void buildInfo(BuildInfo build) {
    Gauge.builder("fulcrum.scim.build.info", () -> 1)
        .tag("version", build.version())
        .tag("commit", build.commit())
        .description("The running build; the value is always 1")
        .register(registry);
  }

  /** JVM memory, GC, threads, classes, CPU, uptime and file descriptors; close on stop (GC listeners). */
  public AutoCloseable bindJvmAndProcess() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return gc;
  }

  /**
   * Times one SCIM request; {@code route} is the route template, never the raw path (bounded labels).
   * {@code deprovisioning}: what the request does to a user's access, if it takes it away.
   */
  public void scimRequest(String method, String route, int status, Duration took, Optional<Deprovisioning> deprovisioning) {
    // one map lookup per request; Timer.builder(...).register(...) would build, sort and look up a tagged id each time
    scimRequests.computeIfAbsent(method + ' ' + route + ' ' + status, k -> scimRequestTimer(method, route, status))
        .record(took);
    // intake answers 404 to a write only for an id it does not have; no other route takes an {id}
    if (status == 404 && route.endsWith("/{id}") && (method.equals("PUT") || method.equals("PATCH") || method.equals("DELETE"))) {
      unknownIdWrites.get(deprovisioning.map(d -> d.op().label()).orElse(OTHER_WRITE)).increment();
    }
  }

  private Timer scimRequestTimer(String method, String route, int status) {
    return Timer.builder("fulcrum.scim.requests")
        .tag("method", method)
        .tag("route", route)
        .tag("status", Integer.toString(status))
        .description("SCIM requests by route and status, with their latency")
        .serviceLevelObjectives(REQUEST_BUCKETS)
        .register(registry);
  }

  /** A before-handler for the SCIM server, ahead of authentication: where a request's latency starts. */
  public void startScimRequest(Context ctx) {
    ctx.attribute(STARTED, System.nanoTime());
  }

  /**
   * An after-handler for the SCIM server: {@code cfg.routes.after("/scim/*", metrics::recordScimRequest)}.
   * The latency runs from {@link #startScimRequest} to here, just before the answer is written.
   */
  public void recordScimRequest(Context ctx) {
    recordScimRequest(ctx, c -> Optional.empty());
  }

  /**
   * As {@link #recordScimRequest(Context)}; {@code routeOf} names the route of a request Javalin
   * matched to none, such as one authentication refused in a before-handler, which runs before
   * Javalin matches the endpoint: every 401 was counted under "unmatched".
   */
  public void recordScimRequest(Context ctx, Function<Context, Optional<String>> routeOf) {
    Endpoint matched = ctx.endpoints().lastHttpEndpoint();
    Long started = ctx.attribute(STARTED);
    String route = matched != null ? matched.path : routeOf.apply(ctx).orElse("unmatched");
    scimRequest(ctx.method().name(), route, ctx.statusCode(), Duration.ofNanos(started == null ? 0 : System.nanoTime() - started),
        Deprovisioning.of(ctx));
    AuthRefusal.of(ctx).ifPresent(reason -> authFailures.get(reason).increment());
  }

  /** Counts one reconcile outcome, e.g. applied, retry, failed, paused. */
  public void applyOutcome(String kind) {
    Counter.builder("fulcrum.scim.reconcile.outcomes")
        .tag("kind", kind)
        .description("Reconcile outcomes by kind")
        .register(registry)
        .increment();
  }

  /**
   * {@code fulcrum_scim_fulcrum_cool_down_seconds}: what is left of the wait Fulcrum's last 429 asked
   * for ({@link FulcrumCallLog#coolDownLeft}), 0 when none; a full node's, whose calls it holds back.
   */
  public void fulcrumCoolDown(FulcrumCallLog calls) {
    Gauge.builder("fulcrum.scim.fulcrum.cool.down", calls, l -> l.coolDownLeft().toMillis() / 1000.0)
        .baseUnit("seconds")
        .description("Seconds left of the wait Fulcrum's last 429 asked for (its Retry-After, kept in the database for"
            + " every node): no call goes to Fulcrum meanwhile, removals included; 0: none")
        .strongReference(true)
        .register(registry);
  }

  public void claimLost() {
    claimsLost.increment();
  }

  public void applied(Duration sinceAcknowledged) {
    acknowledgedToApplied.record(sinceAcknowledged);
  }

  private void timestamp(String name, OpsStore store, Function<OpsStore, Optional<Instant>> read, String description) {
    Gauge.builder(name, store, s -> read.apply(s).map(at -> at.toEpochMilli() / 1000.0).orElse(0.0))
        .baseUnit("seconds")
        .description(description)
        .strongReference(true)
        .register(registry);
  }

  private static Duration[] durations(TimeUnit unit, long... amounts) {
    Duration[] out = new Duration[amounts.length];
    for (int i = 0; i < amounts.length; i++) {
      out[i] = Duration.ofNanos(unit.toNanos(amounts[i]));
    }
    return out;
  }
}
