package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.OlderRelease;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema 9 remembers the role the bridge gave a member for Okta. Links made before it say nothing
 * of that: an upgrade keeps them and takes back no role, whatever Okta names afterwards.
 */
class LinkUpgradeTest {
  @TempDir Path dir;

  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @Test
  void aLinkMadeBeforeTheBridgeRememberedRolesIsKeptHoldingNone() throws Exception {
    TestStore store = store();
    OlderRelease.schema(store.location(), 8);
    OlderRelease.wrote(store.location(), "INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) "
        + "VALUES ('USER', 'u1', 'm1', 'CREATED', 0)");

    try (Database db = Database.open(store.location())) {
      Link link = new LinkStore(db).get(EntityType.USER, "u1").orElseThrow();

      assertThat(link.fulcrumId()).isEqualTo("m1");
      assertThat(link.oktaRoleId()).isNull();
    }
  }
}
