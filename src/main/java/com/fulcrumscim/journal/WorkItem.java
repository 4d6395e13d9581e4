package com.fulcrumscim.journal;

import java.time.Instant;

/**
 * A work row as claimed or listed. {@code claimedGeneration} is what the current claim saw;
 * {@code claim} identifies that claim (0 before the first). {@code removal}: its change takes
 * access away and is not applied yet (see {@link WorkQueue#enqueue(java.sql.Connection, ResourceKey, boolean)}).
 * {@code heldMember}: the Fulcrum member its change stopped on, held by the guard or DEAD with a
 * person keeping access through it, kept while the row is set aside (null: none recorded).
 */
public record WorkItem(
    ResourceKey key,
    WorkState state,
    long generation,
    long claimedGeneration,
    long claim,
    int attempts,
    Instant firstFailureAt,
    Instant nextAttemptAt,
    String lastError,
    Instant updatedAt,
    boolean removal,
    String heldMember) {

  /**
   * A DEAD row an operator set aside ({@link WorkQueue#skip}): DONE without its change applied, which
   * it keeps as its reason. The only DONE row with a last_error: a change the reconciler ends DONE
   * clears it, and a new change or a nudge makes the row PENDING again.
   */
  public boolean setAside() {
    return state == WorkState.DONE && lastError != null;
  }
}
