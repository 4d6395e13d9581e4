package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link AddressFulcrumRefusedTest} with the store on PostgreSQL (receiver and reconciler sharing it). */
@RequiresPostgres
class AddressFulcrumRefusedOnPostgresTest extends AddressFulcrumRefusedTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
