package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link RepushedUnderNewIdTest} with the store on PostgreSQL. */
@RequiresPostgres
class RepushedUnderNewIdOnPostgresTest extends RepushedUnderNewIdTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
