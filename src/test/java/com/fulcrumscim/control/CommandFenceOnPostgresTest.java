package com.fulcrumscim.control;

import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link CommandFenceTest} on a PostgreSQL database of its own. */
@RequiresPostgres
class CommandFenceOnPostgresTest extends CommandFenceTest {
  @Override
  StoreLocation store() {
    return TestStore.freshPostgres().location();
  }
}
