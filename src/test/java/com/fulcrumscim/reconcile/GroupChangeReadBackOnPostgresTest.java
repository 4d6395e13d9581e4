package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link GroupChangeReadBackTest} with the store on PostgreSQL. */
@RequiresPostgres
class GroupChangeReadBackOnPostgresTest extends GroupChangeReadBackTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
