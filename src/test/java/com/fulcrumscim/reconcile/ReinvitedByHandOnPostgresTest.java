package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link ReinvitedByHandTest} with the store on PostgreSQL. */
@RequiresPostgres
class ReinvitedByHandOnPostgresTest extends ReinvitedByHandTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
