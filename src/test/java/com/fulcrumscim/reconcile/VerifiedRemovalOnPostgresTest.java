package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link VerifiedRemovalTest} with the store on PostgreSQL. */
@RequiresPostgres
class VerifiedRemovalOnPostgresTest extends VerifiedRemovalTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
