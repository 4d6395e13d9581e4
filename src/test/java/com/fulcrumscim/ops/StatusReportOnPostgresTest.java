package com.fulcrumscim.ops;

import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link StatusReportTest} on a PostgreSQL database of its own. */
@RequiresPostgres
class StatusReportOnPostgresTest extends StatusReportTest {
  @Override
  StoreLocation store() {
    return TestStore.freshPostgres().location();
  }
}
