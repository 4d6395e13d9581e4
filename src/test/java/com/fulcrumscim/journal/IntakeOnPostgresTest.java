package com.fulcrumscim.journal;

import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link IntakeTest} on a PostgreSQL database of its own. */
@RequiresPostgres
class IntakeOnPostgresTest extends IntakeTest {
  @Override
  StoreLocation store() {
    return TestStore.freshPostgres().location();
  }
}
