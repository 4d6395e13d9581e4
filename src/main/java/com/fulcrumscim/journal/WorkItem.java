package com.fulcrumscim.journal;

import java.time.Instant;

/**
 * A work row as claimed or listed. {@code claimedGeneration} is what the current claim saw;
 * {@code claim} identifies that claim (0 before the first). {@code removal}: its change takes
 * access away and is not applied yet (see {@link WorkQueue#enqueue(java.sql.Connection, ResourceKey, boolean)}).
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
    boolean removal) {}
