package com.fulcrumscim.fulcrum;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * Spaces calls evenly so that no trailing hour ever holds more than the budget: a GCRA (virtual
 * scheduling) limiter at {@value #HEADROOM} of the budget, with a burst tolerance of one interval (for budgets of 400/h and more)
 * so a caller that wakes a little late keeps its schedule instead of losing the slot. Slots are
 * reserved under a lock and slept for outside it, so parallel callers queue in order.
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

  CallPacer(int callsPerHour, Clock clock, Sleeper sleeper) {
    this.callsPerHour = callsPerHour;
    this.interval = Duration.ofNanos((long) (HOUR.toNanos() / (callsPerHour * HEADROOM)));
    // Two back-to-back calls are the most a tolerance of one interval allows; only budgets whose
    // headroom covers that extra call get it.
    this.tolerance = callsPerHour * (1 - HEADROOM) >= 2 ? interval : Duration.ZERO;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** Waits for this call's slot. */
  void acquire(String endpoint) throws InterruptedException {
    Duration wait;
    synchronized (this) {
      Instant now = clock.instant();
      refuseWhileCoolingDown(endpoint, now);
      Instant tat = theoreticalArrival.isAfter(now) ? theoreticalArrival : now;
      Instant earliest = tat.minus(tolerance);
      Instant slot = earliest.isAfter(now) ? earliest : now;
      theoreticalArrival = tat.plus(interval);
      lastHour.addLast(slot);
      wait = Duration.between(now, slot);
    }
    if (!wait.isZero()) {
      sleeper.sleep(wait);
    }
  }

  /** After a 429: nothing goes out before {@code retryAfter} has passed. */
  synchronized void coolDown(Duration retryAfter) {
    Instant until = clock.instant().plus(retryAfter);
    if (until.isAfter(coolDownUntil)) {
      coolDownUntil = until;
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

  /** Budget minus the calls of the trailing hour; never below zero. */
  int budgetLeft() {
    return Math.max(0, callsPerHour - callsInLastHour());
  }

  Duration interval() {
    return interval;
  }

  private void refuseWhileCoolingDown(String endpoint, Instant now) {
    if (now.isBefore(coolDownUntil)) {
      throw new FulcrumException.RateLimited(endpoint, Duration.between(now, coolDownUntil));
    }
  }
}
