package com.fulcrumscim.scim;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link PagingTest} with the receiver on PostgreSQL: the same pages, in the same order. */
@RequiresPostgres
class PagingOnPostgresTest extends PagingTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
