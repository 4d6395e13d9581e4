package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link ListedButUnknownByIdTest} with the store on PostgreSQL. */
@RequiresPostgres
class ListedButUnknownByIdOnPostgresTest extends ListedButUnknownByIdTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
