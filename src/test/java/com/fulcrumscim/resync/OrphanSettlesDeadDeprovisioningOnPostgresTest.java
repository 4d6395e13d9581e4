package com.fulcrumscim.resync;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link OrphanSettlesDeadDeprovisioningTest} with the store on PostgreSQL. */
@RequiresPostgres
class OrphanSettlesDeadDeprovisioningOnPostgresTest extends OrphanSettlesDeadDeprovisioningTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
