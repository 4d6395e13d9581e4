package com.fulcrumscim.scim;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Counts failed authentications per client address in one-minute windows. Failed attempts from an
 * address over the limit are refused (429) until its window ends: guessing stops. A valid token is
 * never asked here, so others' failures cannot lock it out.
 */
final class AuthThrottle {
  private static final long WINDOW_MS = 60_000;
  /** Bound on remembered addresses; expired windows are dropped when it is reached. */
  private static final int MAX_ADDRESSES = 10_000;

  private record Window(long start, int failures) {}

  private final int failuresPerMinute;
  private final Clock clock;
  private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

  AuthThrottle(int failuresPerMinute, Clock clock) {
    this.failuresPerMinute = failuresPerMinute;
    this.clock = clock;
  }

  /** Seconds until {@code address} may try again, or 0 if it may now. */
  long blockedForSeconds(String address) {
    Window w = windows.get(address);
    long now = clock.millis();
    if (w == null || now - w.start() >= WINDOW_MS || w.failures() < failuresPerMinute) {
      return 0;
    }
    return Math.max(1, (w.start() + WINDOW_MS - now + 999) / 1000);
  }

  void failed(String address) {
    long now = clock.millis();
    if (windows.size() >= MAX_ADDRESSES) {
      windows.values().removeIf(w -> now - w.start() >= WINDOW_MS);
    }
    windows.merge(address, new Window(now, 1),
        (old, one) -> now - old.start() >= WINDOW_MS ? one : new Window(old.start(), old.failures() + 1));
  }
}
