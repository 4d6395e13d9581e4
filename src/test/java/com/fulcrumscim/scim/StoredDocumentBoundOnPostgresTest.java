package com.fulcrumscim.scim;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link StoredDocumentBoundTest} against a receiver on PostgreSQL. */
@RequiresPostgres
class StoredDocumentBoundOnPostgresTest extends StoredDocumentBoundTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }
}
