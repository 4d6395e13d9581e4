package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link ReconcilerTest} with the store on PostgreSQL (receiver and reconciler sharing it). */
@RequiresPostgres
class ReconcilerOnPostgresTest extends ReconcilerTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
