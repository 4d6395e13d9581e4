package com.fulcrumscim.cli;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link WriteTestHoldsTheLeaseTest} on a PostgreSQL database of its own. */
@RequiresPostgres
class WriteTestHoldsTheLeaseOnPostgresTest extends WriteTestHoldsTheLeaseTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
