package com.fulcrumscim.reconcile;

import com.fulcrumscim.journal.ResourceKey;
import java.util.Set;

/**
 * What reconciling one key returned: its outcome, the other keys whose plans depend on what it
 * changed (the groups of a user just linked, the groups listing the token owner's namesake), and
 * what it left to write (links, audit rows: {@link Attempt}). {@link ReconcileLoop} records all of
 * it in one transaction.
 */
record Reconciled(Outcome outcome, Set<ResourceKey> affected, Attempt.Unwritten unwritten) {
  Reconciled {
    affected = Set.copyOf(affected);
  }

  Reconciled(Outcome outcome, Set<ResourceKey> affected) {
    this(outcome, affected, Attempt.Unwritten.none());
  }
}
