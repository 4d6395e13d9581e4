package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.OlderRelease;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema 17 keeps every address a user's own member had in Fulcrum (review-s13b F1). For users a
 * release of schema 16 linked, the upgrade knows one only from the audit of the create that made the
 * linked member, and only while no email update of the user went through since; any other user's
 * is not known, and such a user is looked for as before.
 */
class MemberAddressUpgradeTest {
  @TempDir Path dir;

  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @Test
  void aLinkedUserKeepsTheAddressItsMemberWasCreatedWith() throws Exception {
    TestStore store = schema16();

    try (Database db = Database.open(store.location())) {
      Optional<MemberAddresses.Held> held = db.read(c -> new MemberAddresses().find(c, "u-made"));
      assertThat(held).get().satisfies(h -> {
        assertThat(h.reached("ADA@corp.example ")).isTrue();
        assertThat(h.reached("taken@corp.example")).isFalse();
      });
    }
  }

  @Test
  void aUserWhoseAddressCannotBeToldFromTheAuditHasNoneKnown() throws Exception {
    TestStore store = schema16();

    try (Database db = Database.open(store.location())) {
      Map<String, MemberAddresses.Held> all = db.read(new MemberAddresses()::all);
      assertThat(all).as("u-renamed: an email update since; u-adopted: no create; u-unlinked: its link gone")
          .containsOnlyKeys("u-made");
    }
  }

  private TestStore schema16() throws Exception {
    TestStore store = store();
    OlderRelease.schema(store.location(), 16);
    link(store, "u-made", "m-1");
    audit(store, "u-made", "CREATE_MEMBER", "m-1", "ok", "email Ada@corp.example");
    audit(store, "u-made", "UPDATE_MEMBER", "m-1", "failed: 422 rejected: email has already been taken", "email");
    link(store, "u-renamed", "m-2");
    audit(store, "u-renamed", "CREATE_MEMBER", "m-2", "ok", "email bob@corp.example");
    audit(store, "u-renamed", "UPDATE_MEMBER", "m-2", "ok", "email, last_name");
    link(store, "u-adopted", "m-3");
    audit(store, "u-unlinked", "CREATE_MEMBER", "m-4", "ok", "email cy@corp.example");
    return store;
  }

  private static void link(TestStore store, String scimId, String memberId) throws Exception {
    OlderRelease.wrote(store.location(), "INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) VALUES "
        + "('USER', '" + scimId + "', '" + memberId + "', 'CREATED', 1000)");
  }

  private static void audit(TestStore store, String scimId, String action, String memberId, String result, String detail)
      throws Exception {
    OlderRelease.wrote(store.location(), "INSERT INTO reconcile_audit (at, entity_type, scim_id, action, fulcrum_id, result, "
        + "detail) VALUES (1000, 'USER', '" + scimId + "', '" + action + "', '" + memberId + "', '" + result + "', '" + detail + "')");
  }
}
