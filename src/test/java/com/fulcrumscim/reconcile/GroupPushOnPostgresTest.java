package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link GroupPushTest} with the store on PostgreSQL (receiver and reconciler sharing it). */
@RequiresPostgres
class GroupPushOnPostgresTest extends GroupPushTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
