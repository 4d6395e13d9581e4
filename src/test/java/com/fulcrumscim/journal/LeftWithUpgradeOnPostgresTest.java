package com.fulcrumscim.journal;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** {@link LeftWithUpgradeTest} on a PostgreSQL database a schema-10 release left. */
@RequiresPostgres
class LeftWithUpgradeOnPostgresTest extends LeftWithUpgradeTest {
  @Override
  TestStore store() {
    return TestStore.emptyPostgres();
  }
}
