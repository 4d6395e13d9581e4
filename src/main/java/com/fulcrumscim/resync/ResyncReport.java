package com.fulcrumscim.resync;

import java.time.Instant;
import java.util.List;

/**
 * What one resync found and, unless it was a dry run, what was left after applying.
 * {@code plan}: drift found first. {@code remaining}: drift found by the check after applying
 * (a dry run: the plan itself).
 * {@code stoppedBecause}: why applying ended early (the reconciler paused, the breaker open) or left
 * orphan members in place (the mass-removal guard holds them), else null.
 */
public record ResyncReport(
    Instant startedAt,
    Instant finishedAt,
    boolean applied,
    List<Drift> plan,
    List<Drift> remaining,
    String stoppedBecause,
    Totals totals) {

  public ResyncReport {
    plan = List.copyOf(plan);
    remaining = List.copyOf(remaining);
  }

  /**
   * Counts of keys. {@code checked}: the managed users and groups ({@link KeyDrift#managed}), not
   * the orphans and unlinked leavers found beside them. {@code drifting}: keys with any line. {@code toFix}: those resync hands to the
   * reconciler. {@code fixed}: drifting keys the check after applying found clean. {@code keepsAccess}:
   * people Okta deactivated or deleted who still have access, as the check after applying found them
   * ({@link Drift#keepsAccess}). {@code heldRemovals}: removals the plan found held by the
   * mass-removal guard, people who also keep access until {@code approve-removals}: counted apart, as
   * status counts them ("Held removals") apart from the people resync leaves to an operator, whose
   * count pages (their removal waits on an approval, not on someone working in Fulcrum).
   */
  public record Totals(int checked, int drifting, int toFix, int blocked, int collisions, int fixed, int remaining,
      int keepsAccess, int heldRemovals) {}

  /** The exit status a script wants: was Fulcrum left as Okta wants it? */
  public boolean driftRemains() {
    return !remaining.isEmpty();
  }
}
