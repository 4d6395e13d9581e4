package com.fulcrumscim.journal;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** {@link AccessTimesUpgradeTest} on a PostgreSQL database a schema-9 release left. */
@RequiresPostgres
class AccessTimesUpgradeOnPostgresTest extends AccessTimesUpgradeTest {
  @Override
  TestStore store() {
    return TestStore.emptyPostgres();
  }
}
