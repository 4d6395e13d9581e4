package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link MemberChangeReadBackTest} with the store on PostgreSQL. */
@RequiresPostgres
class MemberChangeReadBackOnPostgresTest extends MemberChangeReadBackTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
