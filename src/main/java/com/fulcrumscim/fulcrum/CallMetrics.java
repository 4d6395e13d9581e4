package com.fulcrumscim.fulcrum;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Micrometer meters for Fulcrum calls ({@code fulcrum_calls_total{endpoint,status}},
 * {@code fulcrum_call_duration_seconds{endpoint}}, budget and circuit gauges), plus the listener.
 * Labels are endpoint templates and statuses only: no id, no token.
 */
final class CallMetrics {
  private final MeterRegistry registry;
  private final FulcrumCallListener listener;

  CallMetrics(MeterRegistry registry, FulcrumCallListener listener, CallPacer pacer, BooleanSupplier circuitOpen) {
    this.registry = registry;
    this.listener = listener;
    Gauge.builder("fulcrum.rate.budget.left", pacer, CallPacer::budgetLeft)
        .description("Calls left in the trailing hour's budget")
        .strongReference(true)
        .register(registry);
    Gauge.builder("fulcrum.calls.last.hour", pacer, CallPacer::callsInLastHour)
        .description("Calls made to Fulcrum in the trailing hour")
        .strongReference(true)
        .register(registry);
    Gauge.builder("fulcrum.circuit.open", circuitOpen, s -> s.getAsBoolean() ? 1 : 0)
        .description("1 while the circuit breaker refuses calls to Fulcrum")
        .strongReference(true)
        .register(registry);
  }

  void record(String endpoint, String status, Duration duration) {
    Counter.builder("fulcrum.calls")
        .description("HTTP calls to Fulcrum")
        .tag("endpoint", endpoint)
        .tag("status", status)
        .register(registry)
        .increment();
    Timer.builder("fulcrum.call.duration")
        .description("Latency of HTTP calls to Fulcrum")
        .tag("endpoint", endpoint)
        .register(registry)
        .record(duration);
    listener.onCall(endpoint, status, duration);
  }
}
