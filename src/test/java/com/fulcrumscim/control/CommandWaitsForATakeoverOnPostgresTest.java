package com.fulcrumscim.control;

import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link CommandWaitsForATakeoverTest} on a PostgreSQL database of its own, on the server's clock. */
@RequiresPostgres
class CommandWaitsForATakeoverOnPostgresTest extends CommandWaitsForATakeoverTest {
  @Override
  StoreLocation store() {
    return TestStore.freshPostgres().location();
  }
}
