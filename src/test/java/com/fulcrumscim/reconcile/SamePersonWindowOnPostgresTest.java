package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link SamePersonWindowTest} with the store on PostgreSQL. */
@RequiresPostgres
class SamePersonWindowOnPostgresTest extends SamePersonWindowTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
