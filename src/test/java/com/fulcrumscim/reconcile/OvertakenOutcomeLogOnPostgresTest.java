package com.fulcrumscim.reconcile;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link OvertakenOutcomeLogTest} with the store on PostgreSQL: a finish that finds the generation moved there. */
@RequiresPostgres
class OvertakenOutcomeLogOnPostgresTest extends OvertakenOutcomeLogTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
