package com.fulcrumscim.app;

import java.time.Duration;

/**
 * The time a clean stop has, as a whole, from the moment it begins: each step takes at most what is
 * left, so their own bounds (a quarter lease each, at ha.lease_ttl 2m 30 s) never add up past
 * systemd's TimeoutStopSec (60 s, etc/fulcrum-scim.service), after which it kills the process.
 * Its {@code tail} is kept from the steps that wait for work under way ({@link #beforeTail}): when
 * that work does not end, the steps after it (Jetty's stop, the writer lease given up, the database
 * closed) still have their time (review-s14c F7).
 */
record StopBudget(long deadline, Duration tail) {
  /** Well under TimeoutStopSec: the JVM's own exit and a slow log flush come after it. */
  static final Duration WHOLE = Duration.ofSeconds(45);
  /** The tail is this part of the whole: 5 s of 45, where a healthy database answers in milliseconds. */
  private static final int TAIL_PARTS = 9;

  /** A budget of {@code whole} from now. */
  static StopBudget of(Duration whole) {
    return new StopBudget(System.nanoTime() + whole.toNanos(), whole.dividedBy(TAIL_PARTS));
  }

  /** The part of it before its tail: what a step that waits for work under way may spend. */
  StopBudget beforeTail() {
    return new StopBudget(deadline - tail.toNanos(), Duration.ZERO);
  }

  /** What is left of it; zero once spent. */
  Duration left() {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  /** {@code bound}, or what is left when that is less. */
  Duration within(Duration bound) {
    Duration left = left();
    return bound.compareTo(left) < 0 ? bound : left;
  }
}
