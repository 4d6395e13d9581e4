package com.fulcrumscim.fulcrum.emulator;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * "No more than N calls in any trailing hour", per token. Each token keeps a ring of the times of
 * its last N admitted calls: a call is admitted when the oldest of them has left the window, so
 * the check is O(1) and the memory N longs. A refused call is not counted and waits until that
 * oldest call leaves the window.
 */
final class SlidingWindowLimiter {
  private final int limit;
  private final long windowMillis;
  private final Clock clock;
  private final Map<String, Ring> rings = new HashMap<>();

  private static final class Ring {
    final long[] times;
    int next;
    int size;

    Ring(int limit) {
      times = new long[limit];
    }
  }

  /** {@code limit <= 0}: no limit. */
  SlidingWindowLimiter(int limit, Duration window, Clock clock) {
    this.limit = limit;
    this.windowMillis = window.toMillis();
    this.clock = clock;
  }

  /** Admits and counts the call, or says how long until one more would be admitted. */
  synchronized Optional<Duration> acquire(String token) {
    if (limit <= 0) {
      return Optional.empty();
    }
    long now = clock.millis();
    Ring ring = rings.computeIfAbsent(token, t -> new Ring(limit));
    if (ring.size == limit) {
      long oldest = ring.times[ring.next];
      if (oldest + windowMillis > now) {
        return Optional.of(Duration.ofMillis(oldest + windowMillis - now));
      }
    } else {
      ring.size++;
    }
    ring.times[ring.next] = now;
    ring.next = (ring.next + 1) % limit;
    return Optional.empty();
  }

  synchronized void reset() {
    rings.clear();
  }
}
