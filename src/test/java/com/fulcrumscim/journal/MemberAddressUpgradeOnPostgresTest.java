package com.fulcrumscim.journal;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** {@link MemberAddressUpgradeTest} on a PostgreSQL database a schema-16 release left. */
@RequiresPostgres
class MemberAddressUpgradeOnPostgresTest extends MemberAddressUpgradeTest {
  @Override
  TestStore store() {
    return TestStore.emptyPostgres();
  }
}
