package com.fulcrumscim.ops;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** {@link RemovalFlagUpgradeTest} on a PostgreSQL database a schema-4 release left. */
@RequiresPostgres
class RemovalFlagUpgradeOnPostgresTest extends RemovalFlagUpgradeTest {
  @Override
  TestStore store() {
    return TestStore.emptyPostgres();
  }
}
