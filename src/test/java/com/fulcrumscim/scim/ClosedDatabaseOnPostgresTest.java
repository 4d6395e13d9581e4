package com.fulcrumscim.scim;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** {@link ClosedDatabaseTest} on PostgreSQL: a request after the pool closed. */
@RequiresPostgres
class ClosedDatabaseOnPostgresTest extends ClosedDatabaseTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
