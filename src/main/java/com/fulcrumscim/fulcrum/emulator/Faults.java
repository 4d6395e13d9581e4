package com.fulcrumscim.fulcrum.emulator;

import com.fulcrumscim.fulcrum.emulator.Answer.Dropped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The faults switched on right now. Every fault but a lost response is decided before the call
 * touches the organization, so an injected failure never leaves half a change behind. Shares
 * draw from one seeded {@link Random}: a single-threaded test sees the same faults on every run.
 */
public final class Faults {
  private static final int[] SERVER_ERRORS = {500, 502, 503};

  private final Clock clock;
  private final Random random;
  private volatile Duration latency = Duration.ZERO;
  private volatile double errorShare;
  private volatile double dropShare;
  private volatile double lostResponseShare;
  private final AtomicInteger burstLeft = new AtomicInteger();
  private volatile Duration burstRetryAfter = Duration.ofSeconds(1);
  /** Calls still to answer 429 (with a {@code Retry-After} of one second) by endpoint, as {@code "GET /api/v2/users.json"}. */
  private final Map<String, AtomicInteger> burstLeftOn = new ConcurrentHashMap<>();
  private volatile boolean tokenRevoked;
  /** Endpoints, as {@code "GET /api/v2/roles.json"}, answered 403 to a token that works. */
  private final Set<String> forbidden = ConcurrentHashMap.newKeySet();
  private volatile Instant outageUntil = Instant.MIN;
  private volatile OutageMode outageMode = OutageMode.UNAVAILABLE;
  private volatile boolean deletesIgnored;
  private volatile boolean deletesAnsweredByProxy;

  Faults(Clock clock, Random random) {
    this.clock = clock;
    this.random = random;
  }

  /** Every API call waits this long first. */
  public Faults latency(Duration added) {
    latency = added;
    return this;
  }

  /** This share (0..1) of calls is answered 500, 502 or 503, chosen at random; nothing is applied. */
  public Faults errorShare(double share) {
    errorShare = checkShare(share);
    return this;
  }

  /** This share of connections is closed before the call is applied or answered. */
  public Faults dropShare(double share) {
    dropShare = checkShare(share);
    return this;
  }

  /** This share of calls is applied, then the connection closed: the client cannot know it worked. */
  public Faults lostResponseShare(double share) {
    lostResponseShare = checkShare(share);
    return this;
  }

  /** The next {@code calls} calls are answered 429 with this {@code Retry-After}. */
  public Faults rateLimitBurst(int calls, Duration retryAfter) {
    burstRetryAfter = retryAfter;
    burstLeft.set(calls);
    return this;
  }

  /**
   * The next {@code calls} calls to {@code endpoint} alone (as {@code "GET /api/v2/users.json"}; an
   * id in the path is written {@code {id}}) are answered 429 with a {@code Retry-After} of one second:
   * one read failing among others that work.
   */
  public Faults rateLimitBurstOn(String endpoint, int calls) {
    burstLeftOn.put(endpoint, new AtomicInteger(calls));
    return this;
  }

  /** Every call is 401 until {@link #restoreToken()} or a new token is set. */
  public Faults revokeToken() {
    tokenRevoked = true;
    return this;
  }

  /**
   * Calls to {@code endpoint} (as {@code "GET /api/v2/roles.json"}) with the valid token are
   * answered 403 while {@code on}: the token works, its user lacks the permission (not an Owner).
   */
  public Faults forbidden(String endpoint, boolean on) {
    if (on) {
      forbidden.add(endpoint);
    } else {
      forbidden.remove(endpoint);
    }
    return this;
  }

  public Faults restoreToken() {
    tokenRevoked = false;
    return this;
  }

  /** Every call fails, as {@code mode} says, for {@code length} from now on the emulator's clock. */
  public Faults outage(Duration length, OutageMode mode) {
    outageMode = mode;
    outageUntil = clock.instant().plus(length);
    return this;
  }

  /** Every DELETE is answered 204 and removes nothing: a removal that only a read back can catch. */
  public Faults deletesIgnored(boolean on) {
    deletesIgnored = on;
    return this;
  }

  /** Every DELETE is answered 404 with an HTML page, as a proxy in front of Fulcrum would; nothing is removed. */
  public Faults deletesAnsweredByProxy(boolean on) {
    deletesAnsweredByProxy = on;
    return this;
  }

  /** Switches every fault off. */
  public Faults clear() {
    latency = Duration.ZERO;
    errorShare = 0;
    dropShare = 0;
    lostResponseShare = 0;
    burstLeft.set(0);
    burstLeftOn.clear();
    tokenRevoked = false;
    forbidden.clear();
    outageUntil = Instant.MIN;
    deletesIgnored = false;
    deletesAnsweredByProxy = false;
    return this;
  }

  public boolean tokenRevoked() {
    return tokenRevoked;
  }

  /** Applies the non-null fields of {@code s}. */
  public Faults apply(FaultSettings s) {
    if (s.latencyMs() != null) {
      latency(Duration.ofMillis(s.latencyMs()));
    }
    if (s.errorShare() != null) {
      errorShare(s.errorShare());
    }
    if (s.dropShare() != null) {
      dropShare(s.dropShare());
    }
    if (s.lostResponseShare() != null) {
      lostResponseShare(s.lostResponseShare());
    }
    if (s.rateLimitBurst() != null) {
      long retry = s.rateLimitBurstRetryAfterSeconds() == null ? 1 : s.rateLimitBurstRetryAfterSeconds();
      rateLimitBurst(s.rateLimitBurst(), Duration.ofSeconds(retry));
    }
    if (s.tokenRevoked() != null) {
      tokenRevoked = s.tokenRevoked();
    }
    if (s.outageSeconds() != null) {
      outage(Duration.ofSeconds(s.outageSeconds()), s.outageMode() == null ? OutageMode.UNAVAILABLE : s.outageMode());
    }
    if (s.deletesIgnored() != null) {
      deletesIgnored = s.deletesIgnored();
    }
    if (s.deletesAnsweredByProxy() != null) {
      deletesAnsweredByProxy = s.deletesAnsweredByProxy();
    }
    return this;
  }

  /** What is switched on now, in the shape {@link #apply} takes. */
  public FaultSettings settings() {
    long outageLeft = Math.max(0, Duration.between(clock.instant(), outageUntil).toSeconds());
    return new FaultSettings(
        latency.toMillis(),
        errorShare,
        dropShare,
        lostResponseShare,
        burstLeft.get(),
        burstRetryAfter.toSeconds(),
        tokenRevoked,
        outageLeft,
        outageMode,
        deletesIgnored,
        deletesAnsweredByProxy);
  }

  /** Sleeps the added latency (real time: it is what a benchmark measures). */
  void delay() throws InterruptedException {
    Duration d = latency;
    if (!d.isZero()) {
      Thread.sleep(d.toMillis());
    }
  }

  /** A failure to give instead of handling a call to {@code endpoint}, or empty to handle it. */
  Optional<Answer> before(String endpoint) {
    if (clock.instant().isBefore(outageUntil)) {
      return Optional.of(outageMode == OutageMode.DROP ? new Dropped() : Replies.serverError(503));
    }
    if (burstLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return Optional.of(Replies.tooManyRequests(burstRetryAfter));
    }
    AtomicInteger onEndpoint = burstLeftOn.get(endpoint);
    if (onEndpoint != null && onEndpoint.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return Optional.of(Replies.tooManyRequests(Duration.ofSeconds(1)));
    }
    if (chance(dropShare)) {
      return Optional.of(new Dropped());
    }
    if (chance(errorShare)) {
      return Optional.of(Replies.serverError(SERVER_ERRORS[next(SERVER_ERRORS.length)]));
    }
    return Optional.empty();
  }

  /** What an admitted call to {@code endpoint} with {@code method} gets instead of being applied, or empty to apply it. */
  Optional<Answer> instead(String endpoint, String method) {
    if (forbidden.contains(endpoint)) {
      return Optional.of(Replies.forbidden());
    }
    if (!"DELETE".equals(method)) {
      return Optional.empty();
    }
    if (deletesAnsweredByProxy) {
      return Optional.of(Replies.html(404, "<html><head><title>404 Not Found</title></head><body>nginx</body></html>"));
    }
    return deletesIgnored ? Optional.of(Replies.noContent()) : Optional.empty();
  }

  /** Whether the answer to an applied call is lost. */
  boolean loseResponse() {
    return chance(lostResponseShare);
  }

  private boolean chance(double share) {
    if (share <= 0) {
      return false;
    }
    synchronized (random) {
      return random.nextDouble() < share;
    }
  }

  private int next(int bound) {
    synchronized (random) {
      return random.nextInt(bound);
    }
  }

  private static double checkShare(double share) {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("a share is between 0 and 1, not " + share);
    }
    return share;
  }
}
