package com.fulcrumscim.reconcile;

import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import java.util.Set;

/**
 * What reconciling one key returned: its outcome, the other keys whose plans depend on what it
 * changed (the groups of a user just linked, the groups listing the token owner's namesake), and
 * what it left to write (links, audit rows: {@link Attempt}). {@link ReconcileLoop} records all of
 * it in one transaction. {@code lastPlan}: the last plan it made (null: it ended before planning).
 * {@code person}: who the key is about ({@link Person}), for a failure's log line; null for other outcomes.
 * {@code wake}: the groups a leaver's outcome wakes, with the Fulcrum groups that listed a member it
 * removed ({@link Attempt#groupsLeft}); {@link WorkQueue.Wake#NOBODY} for any other key.
 */
record Reconciled(Outcome outcome, Set<ResourceKey> affected, Attempt.Unwritten unwritten, Plan lastPlan, String person,
    WorkQueue.Wake wake) {
  Reconciled {
    affected = Set.copyOf(affected);
  }

  Reconciled(Outcome outcome, Set<ResourceKey> affected) {
    this(outcome, affected, Attempt.Unwritten.none(), null, null, WorkQueue.Wake.NOBODY);
  }

  /**
   * Whether the change this reconcile was on takes access away, as its last plan says;
   * {@code asQueued} (the work row's flag, which may outlive its removal) when it ended before it
   * could plan, or its plan could not tell (a group whose members Fulcrum leaves out: people Okta
   * took out of it keep it, and its DEAD row must say so).
   */
  boolean deprovisions(boolean asQueued) {
    return lastPlan == null || lastPlan.isBlocked() && lastPlan.blocked().accessUnknown() ? asQueued
        : lastPlan.deprovisions();
  }
}
