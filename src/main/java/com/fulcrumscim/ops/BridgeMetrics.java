package com.fulcrumscim.ops;

import com.fulcrumscim.journal.WorkState;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bridge's own Prometheus series. Gauges query SQLite when scraped (one indexed count each),
 * so they are right even for work another process changed; counters are bumped by the SCIM server
 * and the reconciler. Fulcrum calls and the rate budget are the client's own meters
 * ({@code fulcrum_calls_total}, {@code fulcrum_rate_budget_left}, {@code fulcrum_calls_last_hour}).
 *
 * <ul>
 *   <li>{@code fulcrum_scim_work{state}}: work rows by state (dead rows: {@code state="dead"})
 *   <li>{@code fulcrum_scim_oldest_pending_age_seconds}: how long the oldest unfinished change has waited
 *   <li>{@code fulcrum_scim_reconciler_paused}: 1 while the reconciler is paused
 *   <li>{@code scim_requests_total{method,route,status}}, {@code reconcile_outcomes_total{kind}}
 * </ul>
 */
public final class BridgeMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> scimRequests = new ConcurrentHashMap<>();

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
  }

  /** Counts one SCIM request; {@code route} is the route template, never the raw path (bounded labels). */
  public void scimRequest(String method, String route, int status) {
    // one map lookup per request; Counter.builder(...).register(...) would build, sort and look up a tagged id each time
    scimRequests.computeIfAbsent(method + ' ' + route + ' ' + status, k -> scimRequestCounter(method, route, status))
        .increment();
  }

  private Counter scimRequestCounter(String method, String route, int status) {
    return Counter.builder("scim.requests")
        .tag("method", method)
        .tag("route", route)
        .tag("status", Integer.toString(status))
        .description("SCIM requests by route and status")
        .register(registry);
  }

  /** An after-handler for the SCIM server: {@code cfg.routes.after("/scim/*", metrics::recordScimRequest)}. */
  public void recordScimRequest(Context ctx) {
    Endpoint matched = ctx.endpoints().lastHttpEndpoint();
    scimRequest(ctx.method().name(), matched == null ? "unmatched" : matched.path, ctx.statusCode());
  }

  /** Counts one reconcile outcome, e.g. applied, retry, failed, paused. */
  public void applyOutcome(String kind) {
    Counter.builder("reconcile.outcomes")
        .tag("kind", kind)
        .description("Reconcile outcomes by kind")
        .register(registry)
        .increment();
  }
}
