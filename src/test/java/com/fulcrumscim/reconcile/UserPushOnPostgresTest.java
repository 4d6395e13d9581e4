package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link UserPushTest} with the store on PostgreSQL (receiver and reconciler sharing it). */
@RequiresPostgres
class UserPushOnPostgresTest extends UserPushTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
