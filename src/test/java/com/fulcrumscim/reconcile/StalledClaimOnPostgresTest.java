package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link StalledClaimTest} on PostgreSQL, where two nodes share the work table. */
@RequiresPostgres
class StalledClaimOnPostgresTest extends StalledClaimTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
