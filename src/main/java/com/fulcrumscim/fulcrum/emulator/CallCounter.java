package com.fulcrumscim.fulcrum.emulator;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every API call the emulator received, by endpoint ("PUT /api/v2/memberships/{id}.json") and
 * status, so tests and benchmarks can tell how many calls a change cost. Faulted calls count too.
 * It also keeps the most calls of each endpoint it was handling at once: whether a client's calls
 * overlapped is seen here, where they arrive, not from the client's timings.
 */
public final class CallCounter {
  /** The status recorded for a call whose connection was dropped. */
  public static final int DROPPED = 0;

  /** One row of the count. */
  public record CallCount(String endpoint, int status, long count) {}

  private record Key(String endpoint, int status) {}

  private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> mostInFlight = new ConcurrentHashMap<>();

  /** A call of {@code endpoint} arrived; {@link #ended} says it is answered (or given up). */
  void started(String endpoint) {
    int now = inFlight.computeIfAbsent(endpoint, e -> new AtomicInteger()).incrementAndGet();
    mostInFlight.computeIfAbsent(endpoint, e -> new AtomicInteger()).accumulateAndGet(now, Math::max);
  }

  void ended(String endpoint) {
    inFlight.get(endpoint).decrementAndGet();
  }

  void record(String endpoint, int status) {
    counts.computeIfAbsent(new Key(endpoint, status), k -> new LongAdder()).increment();
  }

  /** The most calls of {@code endpoint} handled at once since the start or the last {@link #reset()}. */
  public int mostInFlight(String endpoint) {
    AtomicInteger n = mostInFlight.get(endpoint);
    return n == null ? 0 : n.get();
  }

  /** Every call since the start or the last {@link #reset()}. */
  public long total() {
    return counts.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Calls to {@code endpoint}, any status. */
  public long count(String endpoint) {
    return counts.entrySet().stream().filter(e -> e.getKey().endpoint().equals(endpoint)).mapToLong(e -> e.getValue().sum()).sum();
  }

  public long count(String endpoint, int status) {
    LongAdder n = counts.get(new Key(endpoint, status));
    return n == null ? 0 : n.sum();
  }

  /** Every (endpoint, status) seen, sorted. */
  public List<CallCount> all() {
    return counts.entrySet().stream()
        .map(e -> new CallCount(e.getKey().endpoint(), e.getKey().status(), e.getValue().sum()))
        .filter(c -> c.count() > 0)
        .sorted(Comparator.comparing(CallCount::endpoint).thenComparingInt(CallCount::status))
        .toList();
  }

  public void reset() {
    counts.clear();
    mostInFlight.clear();
  }
}
