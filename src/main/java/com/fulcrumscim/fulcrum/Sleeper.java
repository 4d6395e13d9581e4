package com.fulcrumscim.fulcrum;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits for pacing and retry backoff; tests pass one that moves a clock instead of waiting. */
@FunctionalInterface
public interface Sleeper {
  Sleeper REAL = d -> TimeUnit.NANOSECONDS.sleep(d.toNanos());

  void sleep(Duration duration) throws InterruptedException;
}
