package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link AddressNeverReachedFulcrumTest} with the store on PostgreSQL (receiver and reconciler sharing it). */
@RequiresPostgres
class AddressNeverReachedFulcrumOnPostgresTest extends AddressNeverReachedFulcrumTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
