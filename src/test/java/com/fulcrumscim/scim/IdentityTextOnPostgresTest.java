package com.fulcrumscim.scim;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link IdentityTextTest} with the receiver on PostgreSQL, whose btree index entries hold at most 2,704 bytes. */
@RequiresPostgres
class IdentityTextOnPostgresTest extends IdentityTextTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
