package com.fulcrumscim.journal;

/** The life of a work row. Who moves rows in and out is said on each state. */
public enum WorkState {
  /** Due at next_attempt_at. Intake puts rows here; so does a finish whose generation moved. */
  PENDING,
  /** Claimed by the reconciler. At start-up the rescuer puts rows left here back to PENDING. */
  RUNNING,
  /** Failed and backing off until next_attempt_at, within the retry budget. */
  RETRYING,
  /** Desired state reached for the generation claimed. A new change makes it PENDING again. */
  DONE,
  /** Out of retry budget, or refused for good. Visible in status; {@code journal retry} revives it. */
  DEAD,
  /**
   * Held by a guard (mass removal, mass role take-back) before any write; {@code approve-removals}
   * releases it, {@code journal skip} sets it aside.
   */
  HELD,
  /**
   * Left alone on purpose with the reason in last_error (the token owner's own user): settled like
   * DONE, yet listed by status so the choice stays visible. A new change makes it PENDING again.
   */
  SKIPPED
}
