package com.fulcrumscim.scim;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link LimitsStoredByAnOlderReleaseTest} against a receiver on PostgreSQL. */
@RequiresPostgres
class LimitsStoredByAnOlderReleaseOnPostgresTest extends LimitsStoredByAnOlderReleaseTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
