package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link UnlinkedLeaversMemberTest} with the store on PostgreSQL. */
@RequiresPostgres
class UnlinkedLeaversMemberOnPostgresTest extends UnlinkedLeaversMemberTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
