package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link NeverLinkedNamesakeTest} with the store on PostgreSQL (receiver and reconciler sharing it). */
@RequiresPostgres
class NeverLinkedNamesakeOnPostgresTest extends NeverLinkedNamesakeTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
