package com.fulcrumscim.resync;

import com.fulcrumscim.journal.SettingStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the last scheduled resync left, kept in the setting table under {@value ResyncService#LAST_REPORT}
 * for {@code status}: when it ran, its totals, the first lines of drift still there, and why it stopped
 * early; or, without totals, why it could not run.
 */
public record LastResync(Instant startedAt, Instant finishedAt, ResyncReport.Totals totals, List<Drift> remaining, String error) {
  /** At most this many remaining lines are kept; the totals count them all. */
  static final int KEPT_LINES = 20;

  public LastResync {
    remaining = remaining == null ? List.of() : List.copyOf(remaining);
  }

  /** The report the last scheduled run kept, if one ran (what {@code status} shows). */
  public static Optional<LastResync> kept(SettingStore settings) {
    return settings.get(ResyncService.LAST_REPORT).map(s -> new ReportJson().read(s, LastResync.class));
  }

  static LastResync of(ResyncReport r) {
    return new LastResync(r.startedAt(), r.finishedAt(), r.totals(),
        r.remaining().subList(0, Math.min(KEPT_LINES, r.remaining().size())), r.stoppedBecause());
  }

  static LastResync failed(Instant startedAt, Instant finishedAt, String error) {
    return new LastResync(startedAt, finishedAt, null, List.of(), error);
  }
}
