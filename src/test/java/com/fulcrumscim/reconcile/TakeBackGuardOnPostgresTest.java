package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link TakeBackGuardTest} with the store on PostgreSQL: the guard's counts are SQL of their own. */
@RequiresPostgres
class TakeBackGuardOnPostgresTest extends TakeBackGuardTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
