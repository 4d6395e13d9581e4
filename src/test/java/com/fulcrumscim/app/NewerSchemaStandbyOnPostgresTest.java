package com.fulcrumscim.app;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** {@link NewerSchemaStandbyTest} on PostgreSQL, where several nodes share one database. */
@RequiresPostgres
class NewerSchemaStandbyOnPostgresTest extends NewerSchemaStandbyTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
