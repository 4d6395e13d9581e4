package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link EmailMovesTest} with the store on PostgreSQL. */
@RequiresPostgres
class EmailMovesOnPostgresTest extends EmailMovesTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
