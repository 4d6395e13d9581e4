package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link FailingDeprovisioningTest} with the store on PostgreSQL. */
@RequiresPostgres
class FailingDeprovisioningOnPostgresTest extends FailingDeprovisioningTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
