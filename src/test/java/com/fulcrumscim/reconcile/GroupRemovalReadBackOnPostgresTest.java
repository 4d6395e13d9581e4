package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link GroupRemovalReadBackTest} with the store on PostgreSQL. */
@RequiresPostgres
class GroupRemovalReadBackOnPostgresTest extends GroupRemovalReadBackTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
