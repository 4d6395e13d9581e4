package com.fulcrumscim.scim;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link ConcurrentGroupChangesTest} against a receiver on PostgreSQL. */
@RequiresPostgres
class ConcurrentGroupChangesOnPostgresTest extends ConcurrentGroupChangesTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
