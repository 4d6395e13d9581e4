package com.fulcrumscim.scim;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link RefusedGroupRenameTest} against a receiver on PostgreSQL. */
@RequiresPostgres
class RefusedGroupRenameOnPostgresTest extends RefusedGroupRenameTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
