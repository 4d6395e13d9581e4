package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link DeadDeprovisioningLogTest} with the store on PostgreSQL. */
@RequiresPostgres
class DeadDeprovisioningLogOnPostgresTest extends DeadDeprovisioningLogTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
