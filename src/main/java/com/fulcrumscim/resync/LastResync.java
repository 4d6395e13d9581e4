package com.fulcrumscim.resync;

import java.time.Instant;
import java.util.List;

/**
 * What the last scheduled resync left, kept in the setting table under {@value ResyncService#LAST_REPORT}
 * for {@code status}: when it ran, its totals, the first lines of drift still there, or why it could not run.
 */
public record LastResync(Instant startedAt, Instant finishedAt, ResyncReport.Totals totals, List<Drift> remaining, String error) {
  /** At most this many remaining lines are kept; the totals count them all. */
  static final int KEPT_LINES = 20;

  public LastResync {
    remaining = remaining == null ? List.of() : List.copyOf(remaining);
  }

  static LastResync of(ResyncReport r) {
    return new LastResync(r.startedAt(), r.finishedAt(), r.totals(),
        r.remaining().subList(0, Math.min(KEPT_LINES, r.remaining().size())), r.stoppedBecause());
  }

  static LastResync failed(Instant startedAt, Instant finishedAt, String error) {
    return new LastResync(startedAt, finishedAt, null, List.of(), error);
  }
}
