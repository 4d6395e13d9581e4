package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link RemovalsCheckedTogetherTest} with the store on PostgreSQL. */
@RequiresPostgres
class RemovalsCheckedTogetherOnPostgresTest extends RemovalsCheckedTogetherTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
