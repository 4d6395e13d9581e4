package com.fulcrumscim.reconcile;

import com.fulcrumscim.journal.WorkItem;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;

/**
 * Exponential backoff with jitter inside a wall-clock budget counted from the row's first failure:
 * an outage of any length is ridden out up to the budget, never by a count of attempts. Time the
 * reconciler was paused moves the first failure on when the pause ends ({@link Pause#resume}):
 * nothing could be tried then, for as long as nobody replaced a refused token. The circuit
 * breaker's open spells still count: each lasts 30 s and is part of the outage the budget is for.
 */
public final class RetryPolicy {
  private final Duration budget;
  private final Duration base;
  private final Duration cap;
  private final Random random;

  public RetryPolicy(Duration budget, Duration base, Duration cap, Random random) {
    this.budget = budget;
    this.base = base;
    this.cap = cap;
    this.random = random;
  }

  /** 24h-style budget with 5 s first delay doubling to at most 15 min. */
  public static RetryPolicy withBudget(Duration budget) {
    return new RetryPolicy(budget, Duration.ofSeconds(5), Duration.ofMinutes(15), new Random());
  }

  public Duration budget() {
    return budget;
  }

  /** When to try {@code item} again after another failure now; empty when the budget is spent. */
  public Optional<Instant> next(WorkItem item, Instant now) {
    Instant deadline = deadline(item, now);
    if (!now.isBefore(deadline)) {
      return Optional.empty();
    }
    long exponential = base.toMillis() << Math.min(item.attempts(), 20);
    long ceiling = Math.min(cap.toMillis(), exponential);
    // Half fixed, half random: spreads a storm's retries without ever retrying instantly.
    long delay = ceiling / 2 + (long) (random.nextDouble() * (ceiling / 2 + 1));
    Instant at = now.plusMillis(delay);
    return Optional.of(at.isAfter(deadline) ? deadline : at);
  }

  /** Whether {@code item}'s budget ran out by {@code now}, counted from its first failure (none: now). */
  public boolean spent(WorkItem item, Instant now) {
    return !now.isBefore(deadline(item, now));
  }

  private Instant deadline(WorkItem item, Instant now) {
    return (item.firstFailureAt() == null ? now : item.firstFailureAt()).plus(budget);
  }
}
