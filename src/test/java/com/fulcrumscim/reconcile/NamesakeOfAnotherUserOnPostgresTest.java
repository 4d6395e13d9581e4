package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link NamesakeOfAnotherUserTest} with the store on PostgreSQL. */
@RequiresPostgres
class NamesakeOfAnotherUserOnPostgresTest extends NamesakeOfAnotherUserTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
