package com.fulcrumscim.scim;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts failed authentications per client address in one-minute windows. Failed attempts from an
 * address over the limit are refused (429) until its window ends: guessing stops. A valid token is
 * never asked here, so others' failures cannot lock it out.
 *
 * <p>An IPv6 client is counted by its /64, which one host is commonly given whole: counted per
 * address, it would have 2^64 fresh windows. The table is bounded: once it holds
 * {@link #MAX_ADDRESSES} live windows, every address not in it shares one more, so memory and the
 * work per attempt stay flat whatever the number of addresses (only failures land there).
 */
final class AuthThrottle {
  private static final long WINDOW_MS = 60_000;
  static final int MAX_ADDRESSES = 10_000;
  /** The window addresses beyond the bound share; not an address, so no client lands in it by name. */
  static final String OVERFLOW = "(addresses beyond the first " + MAX_ADDRESSES + ")";
  /** Expired windows are swept at most this often: a sweep reads the whole table. */
  private static final long SWEEP_MS = 1_000;

  private record Window(long start, int failures) {}

  private final int failuresPerMinute;
  private final Clock clock;
  private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();
  private final AtomicLong lastSweep = new AtomicLong(Long.MIN_VALUE / 2);

  AuthThrottle(int failuresPerMinute, Clock clock) {
    this.failuresPerMinute = failuresPerMinute;
    this.clock = clock;
  }

  /** Seconds until {@code address} may try again, or 0 if it may now. */
  long blockedForSeconds(String address) {
    String key = key(address);
    Window w = windows.get(key);
    if (w == null && windows.size() >= MAX_ADDRESSES) {
      w = windows.get(OVERFLOW);
    }
    long now = clock.millis();
    if (w == null || now - w.start() >= WINDOW_MS || w.failures() < failuresPerMinute) {
      return 0;
    }
    return Math.max(1, (w.start() + WINDOW_MS - now + 999) / 1000);
  }

  /** Counts a failure; true when it is the one that reaches the limit (the window refuses from now on). */
  boolean failed(String address) {
    long now = clock.millis();
    String key = key(address);
    if (windows.size() >= MAX_ADDRESSES && !windows.containsKey(key)) {
      sweep(now);
      if (windows.size() >= MAX_ADDRESSES) {
        key = OVERFLOW;
      }
    }
    Window counted = windows.merge(key, new Window(now, 1),
        (old, one) -> now - old.start() >= WINDOW_MS ? one : new Window(old.start(), old.failures() + 1));
    return counted.failures() == failuresPerMinute;
  }

  /** The name failures from {@code address} are counted under: the address, or an IPv6 address's /64. */
  static String key(String address) {
    String literal = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
    if (literal.indexOf(':') < 0) {
      return address;
    }
    try {
      // a literal is parsed, never looked up
      if (InetAddress.getByName(literal) instanceof Inet6Address v6) {
        byte[] prefix = new byte[8];
        System.arraycopy(v6.getAddress(), 0, prefix, 0, 8);
        return HexFormat.of().formatHex(prefix) + "::/64";
      }
    } catch (UnknownHostException | SecurityException notALiteral) {
      // counted as given
    }
    return address;
  }

  private void sweep(long now) {
    long last = lastSweep.get();
    if (now - last >= SWEEP_MS && lastSweep.compareAndSet(last, now)) {
      windows.values().removeIf(w -> now - w.start() >= WINDOW_MS);
    }
  }

  int size() {
    return windows.size();
  }
}
