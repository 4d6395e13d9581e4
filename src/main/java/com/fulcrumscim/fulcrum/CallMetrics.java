package com.fulcrumscim.fulcrum;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Micrometer meters for Fulcrum calls ({@code fulcrum_scim_fulcrum_calls_total{endpoint,status}},
 * the latency histogram {@code fulcrum_scim_fulcrum_call_duration_seconds{endpoint}}, budget and
 * circuit gauges), plus the listener. Labels are endpoint templates and statuses only: no id, no token.
 */
final class CallMetrics {
  private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofSeconds(30)};

  private final MeterRegistry registry;
  private final FulcrumCallListener listener;

  CallMetrics(MeterRegistry registry, FulcrumCallListener listener, CallPacer pacer, BooleanSupplier circuitOpen) {
    this.registry = registry;
    this.listener = listener;
    Gauge.builder("fulcrum.scim.fulcrum.rate.budget.left", pacer, CallPacer::budgetLeft)
        .description("Calls left in the trailing hour's budget")
        .strongReference(true)
        .register(registry);
    Gauge.builder("fulcrum.scim.fulcrum.calls.last.hour", pacer, CallPacer::callsInLastHour)
        .description("Calls made to Fulcrum in the trailing hour")
        .strongReference(true)
        .register(registry);
    Gauge.builder("fulcrum.scim.fulcrum.circuit.open", circuitOpen, s -> s.getAsBoolean() ? 1 : 0)
        .description("1 while the circuit breaker refuses calls to Fulcrum")
        .strongReference(true)
        .register(registry);
  }

  void record(String endpoint, String status, Duration duration) {
    Counter.builder("fulcrum.scim.fulcrum.calls")
        .description("HTTP calls to Fulcrum")
        .tag("endpoint", endpoint)
        .tag("status", status)
        .register(registry)
        .increment();
    Timer.builder("fulcrum.scim.fulcrum.call.duration")
        .description("Latency of HTTP calls to Fulcrum")
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .tag("endpoint", endpoint)
        .register(registry)
        .record(duration);
    listener.onCall(endpoint, status, duration);
  }
}
