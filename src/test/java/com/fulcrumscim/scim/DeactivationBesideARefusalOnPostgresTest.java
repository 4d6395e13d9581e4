package com.fulcrumscim.scim;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link DeactivationBesideARefusalTest} against a receiver on PostgreSQL. */
@RequiresPostgres
class DeactivationBesideARefusalOnPostgresTest extends DeactivationBesideARefusalTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
