package com.fulcrumscim.journal;

import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** Every test of {@link WorkQueueTest} on a PostgreSQL database of its own. */
@RequiresPostgres
class WorkQueueOnPostgresTest extends WorkQueueTest {
  @Override
  StoreLocation store() {
    return TestStore.freshPostgres().location();
  }

  @Override
  void refuseWorkRowsFor(String entityId) {
    db.write(c -> c.createStatement().executeUpdate("CREATE FUNCTION refuse_ops() RETURNS trigger LANGUAGE plpgsql AS $$ "
        + "BEGIN IF NEW.entity_id = '" + entityId + "' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$; "
        + "CREATE TRIGGER refuse_ops BEFORE INSERT ON work FOR EACH ROW EXECUTE FUNCTION refuse_ops()"));
  }
}
