package com.fulcrumscim.scim;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link NulInputTest} with the receiver on PostgreSQL, whose text columns cannot hold U+0000. */
@RequiresPostgres
class NulInputOnPostgresTest extends NulInputTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
