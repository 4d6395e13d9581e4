package com.fulcrumscim.fulcrum;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * Spaces calls evenly at {@value #HEADROOM} of the budget: a GCRA (virtual scheduling) limiter
 * whose only burst allowance is one interval, so a caller that arrives a little late (a GC pause,
 * a busy CPU) keeps the schedule instead of losing the slot, yet at most two calls ever go back to
 * back. The allowance is given only to budgets whose headroom covers that extra call (400/h and
 * up), so no trailing hour holds more than the budget. Each call reserves its slot under a lock and
 * sleeps outside it, so parallel callers queue in order.
 *
 * <p>After a 429 every call fails fast with {@link FulcrumException.RateLimited} until the
 * server's {@code Retry-After} has passed, rather than spending calls the server will refuse.
 */
final class CallPacer {
  /** Half a percent under the budget absorbs clock and network jitter between us and Fulcrum. */
  static final double HEADROOM = 0.995;

  private static final Duration HOUR = Duration.ofHours(1);

  private final int callsPerHour;
  private final Duration interval;
  private final Duration tolerance;
  private final Clock clock;
  private final Sleeper sleeper;
  private final ArrayDeque<Instant> lastHour = new ArrayDeque<>();
  private Instant theoreticalArrival = Instant.MIN;
  private Instant coolDownUntil = Instant.MIN;
  /** Whose limit the cool-down keeps: what a call refused meanwhile says. */
  private FulcrumException.RateLimited.Limit coolingFor = FulcrumException.RateLimited.Limit.FULCRUM;

  CallPacer(int callsPerHour, Clock clock, Sleeper sleeper) {
    this.callsPerHour = callsPerHour;
    this.interval = Duration.ofNanos((long) (HOUR.toNanos() / (callsPerHour * HEADROOM)));
    this.tolerance = callsPerHour * (1 - HEADROOM) >= 2 ? interval : Duration.ZERO;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** Waits for this call's slot. */
  void acquire(String endpoint) throws InterruptedException {
    Duration wait;
    Instant slot;
    synchronized (this) {
      Instant now = clock.instant();
      refuseWhileCoolingDown(endpoint, now);
      Instant due = theoreticalArrival.isAfter(now) ? theoreticalArrival : now;
      Instant earliest = due.minus(tolerance);
      slot = earliest.isAfter(now) ? earliest : now;
      theoreticalArrival = due.plus(interval);
      lastHour.addLast(slot);
      wait = Duration.between(now, slot);
    }
    if (!wait.isZero()) {
      sleeper.sleep(wait);
      synchronized (this) {
        // A 429 may have come back to another caller while this one waited for its slot: sent
        // now, it would spend a call Fulcrum refuses and could lengthen the cool-down. Its slot
        // is given back, in the hour and in the schedule: kept in the schedule, each refused
        // waiter would push the first calls after the cool-down back by one interval.
        Instant now = clock.instant();
        if (now.isBefore(coolDownUntil)) {
          lastHour.removeLastOccurrence(slot);
          theoreticalArrival = theoreticalArrival.minus(interval);
          refuseWhileCoolingDown(endpoint, now);
        }
      }
    }
  }

  /** After a 429 (or a spent {@code limit}): nothing goes out before {@code retryAfter} has passed. */
  synchronized void coolDown(Duration retryAfter, FulcrumException.RateLimited.Limit limit) {
    Instant now = clock.instant();
    // Saturates rather than overflowing: a refusal must never turn into an ArithmeticException.
    Instant until = retryAfter.compareTo(Duration.between(now, Instant.MAX)) >= 0 ? Instant.MAX : now.plus(retryAfter);
    if (until.isAfter(coolDownUntil)) {
      coolDownUntil = until;
      coolingFor = limit;
    }
  }

  /** Calls sent (or reserved) in the trailing hour. */
  synchronized int callsInLastHour() {
    Instant cutoff = clock.instant().minus(HOUR);
    while (!lastHour.isEmpty() && !lastHour.peekFirst().isAfter(cutoff)) {
      lastHour.removeFirst();
    }
    return lastHour.size();
  }

  /** Replaces the trailing hour's calls with {@code sentAt} (any order). */
  synchronized void trailingHourIs(java.util.List<Instant> sentAt) {
    lastHour.clear();
    sentAt.stream().sorted().forEach(lastHour::addLast);
  }

  /** Budget minus the calls of the trailing hour; never below zero. */
  int budgetLeft() {
    return Math.max(0, callsPerHour - callsInLastHour());
  }

  Duration interval() {
    return interval;
  }

  private void refuseWhileCoolingDown(String endpoint, Instant now) {
    if (now.isBefore(coolDownUntil)) {
      throw FulcrumException.RateLimited.notSent(endpoint, coolingFor, Duration.between(now, coolDownUntil));
    }
  }
}
