package com.fulcrumscim.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;

/** Counting calls as a server with a sliding one-hour window counts them (Fulcrum's rate limit). */
public final class TrailingHour {
  private TrailingHour() {}

  /** The most calls in any trailing hour; {@code sent} must be in time order. */
  public static int busiest(List<Instant> sent) {
    ArrayDeque<Instant> window = new ArrayDeque<>();
    int most = 0;
    for (Instant t : sent) {
      window.addLast(t);
      while (!window.peekFirst().isAfter(t.minus(Duration.ofHours(1)))) {
        window.removeFirst();
      }
      most = Math.max(most, window.size());
    }
    return most;
  }
}
