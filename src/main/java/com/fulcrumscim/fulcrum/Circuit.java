package com.fulcrumscim.fulcrum;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A resilience4j circuit breaker that counts only {@link FulcrumException.Unavailable} as failure
 * (a 4xx means Fulcrum is up and answering). Half of the last 20 calls failing, with at least 10
 * seen, opens it for {@code openFor}; then a few trial calls decide. Time comes from the injected
 * clock, so {@link #isOpen()} turns false once the wait is over and the reconciler tries again.
 */
final class Circuit {
  private static final Logger log = LoggerFactory.getLogger(Circuit.class);

  private final CircuitBreaker breaker;
  private final Clock clock;
  private final Duration openFor;
  private volatile Instant openUntil = Instant.MIN;

  Circuit(Duration openFor, Clock clock) {
    this.clock = clock;
    this.openFor = openFor;
    this.breaker =
        CircuitBreaker.of(
            "fulcrum",
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .permittedNumberOfCallsInHalfOpenState(3)
                .waitDurationInOpenState(openFor)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .clock(clock)
                .build());
    breaker.getEventPublisher().onStateTransition(event -> onTransition(event.getStateTransition()));
  }

  /** @throws FulcrumException.Unavailable without calling, while open */
  void acquirePermission(String endpoint) {
    if (!breaker.tryAcquirePermission()) {
      throw new FulcrumException.Unavailable(
          endpoint, "circuit open after repeated failures; not calling Fulcrum until " + openUntil, null);
    }
  }

  void releasePermission() {
    breaker.releasePermission();
  }

  void onSuccess(Duration took) {
    breaker.onSuccess(took.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Records a failed call; only {@link FulcrumException.Unavailable} counts against Fulcrum. */
  void onResult(Duration took, FulcrumException failure) {
    if (failure instanceof FulcrumException.Unavailable) {
      breaker.onError(took.toNanos(), TimeUnit.NANOSECONDS, failure);
    } else {
      onSuccess(took); // Fulcrum answered: a 4xx says nothing about its health
    }
  }

  /** True while calls would be refused: open and the wait not yet over. */
  boolean isOpen() {
    CircuitBreaker.State state = breaker.getState();
    return state == CircuitBreaker.State.FORCED_OPEN
        || (state == CircuitBreaker.State.OPEN && clock.instant().isBefore(openUntil));
  }

  private void onTransition(CircuitBreaker.StateTransition transition) {
    if (transition.getToState() == CircuitBreaker.State.OPEN) {
      openUntil = clock.instant().plus(openFor);
      log.warn("Fulcrum keeps failing; circuit open, no calls until {}", openUntil);
    } else if (transition.getToState() == CircuitBreaker.State.CLOSED) {
      log.info("Fulcrum answers again; circuit closed");
    }
  }
}
