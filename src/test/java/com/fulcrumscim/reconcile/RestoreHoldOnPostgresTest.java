package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link RestoreHoldTest} with the store on PostgreSQL: the marker, releases and journal ids there. */
@RequiresPostgres
class RestoreHoldOnPostgresTest extends RestoreHoldTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
