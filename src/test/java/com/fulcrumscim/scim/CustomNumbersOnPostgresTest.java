package com.fulcrumscim.scim;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link CustomNumbersTest} with the receiver on PostgreSQL, whose jsonb list queries read the numbers. */
@RequiresPostgres
class CustomNumbersOnPostgresTest extends CustomNumbersTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
