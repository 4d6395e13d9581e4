package com.fulcrumscim.reconcile;

import com.fulcrumscim.journal.ResourceKey;
import java.util.Set;

/**
 * What reconciling one key returned: its outcome and the other keys whose plans depend on what it
 * changed (the groups of a user just linked, the groups listing the token owner's namesake).
 * {@link ReconcileLoop} records both in one transaction.
 */
public record Reconciled(Outcome outcome, Set<ResourceKey> affected) {
  public Reconciled {
    affected = Set.copyOf(affected);
  }

  static Reconciled alone(Outcome outcome) {
    return new Reconciled(outcome, Set.of());
  }
}
