package com.fulcrumscim.journal;

import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link AccessTimesTest} on a PostgreSQL database of its own. */
@RequiresPostgres
class AccessTimesOnPostgresTest extends AccessTimesTest {
  @Override
  StoreLocation store() {
    return TestStore.freshPostgres().location();
  }
}
