package com.fulcrumscim.journal;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** {@link EmailKeyUpgradeTest} on a PostgreSQL database a schema-17 release left. */
@RequiresPostgres
class EmailKeyUpgradeOnPostgresTest extends EmailKeyUpgradeTest {
  @Override
  TestStore store() {
    return TestStore.emptyPostgres();
  }
}
