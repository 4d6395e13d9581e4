package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** {@link LinkUpgradeTest} with the store on PostgreSQL. */
@RequiresPostgres
class LinkUpgradeOnPostgresTest extends LinkUpgradeTest {
  @Override
  TestStore store() {
    return TestStore.emptyPostgres();
  }
}
