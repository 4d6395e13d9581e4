package com.fulcrumscim.journal;

import java.time.Instant;

/** A work row as claimed or listed. {@code claimedGeneration} is what the current claim saw. */
public record WorkItem(
    ResourceKey key,
    WorkState state,
    long generation,
    long claimedGeneration,
    int attempts,
    Instant firstFailureAt,
    Instant nextAttemptAt,
    String lastError,
    Instant updatedAt) {}
