package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.OlderRelease;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V012 and V017 keyed the addresses a leaver is looked for under with SQL's lower(trim()), which
 * folds ASCII letters only; schema 18 folds them again as the member list compares (review-s17b F2).
 * Left as they were, a leaver's own member under an address with a non-ASCII capital was "never its
 * member" (MemberAddresses.Held.reached, UserState.byEmailNeverItsMembers): reported, never removed.
 */
class OlderKeysUpgradeTest {
  @TempDir Path dir;

  @Test
  void theKeysOfSchema12And17AreFoldedForEveryLetter() throws Exception {
    TestStore store = TestStore.sqlite(dir.resolve("bridge.db"));
    OlderRelease.schema(store.location(), 11);
    OlderRelease.wrote(store.location(), "INSERT INTO scim_user (id, user_name, user_name_key, active, email, doc, created_at, "
        + "updated_at) VALUES ('u-zoe', 'zoe', 'zoe', 0, 'ZOË@corp.example', '{}', 1000, 1000)");
    OlderRelease.wrote(store.location(), "INSERT INTO user_tombstone (scim_id, user_name, email, deleted_at) "
        + "VALUES ('u-eli', 'eli', 'ÉLI@corp.example', 1000)");
    OlderRelease.wrote(store.location(), "INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) VALUES "
        + "('USER', 'u-ada', 'm-1', 'CREATED', 1000)");
    OlderRelease.wrote(store.location(), "INSERT INTO reconcile_audit (at, entity_type, scim_id, action, fulcrum_id, result, "
        + "detail) VALUES (1000, 'USER', 'u-ada', 'CREATE_MEMBER', 'm-1', 'ok', 'email ÅDA@corp.example')");

    try (Database db = Database.open(store.location())) {
      Optional<MemberAddresses.Held> held = db.read(c -> new MemberAddresses().find(c, "u-ada"));
      List<DesiredUser> leavers = db.read(c -> new DesiredState(db).inactiveUsersWithEmail(c, "zoë@corp.example"));
      List<DeletedUser> deleted = db.read(c -> new Tombstones().withEmail(c, "éli@corp.example"));
      String leftWith = db.read(c -> {
        try (var rs = c.createStatement().executeQuery("SELECT left_with_key FROM scim_user WHERE id = 'u-zoe'")) {
          return rs.next() ? rs.getString(1) : null;
        }
      });

      assertThat(held).as("the member the bridge made as ÅDA@ is the user's own").get()
          .satisfies(h -> assertThat(h.reached("åda@corp.example")).isTrue());
      assertThat(leftWith).isEqualTo("zoë@corp.example");
      assertThat(leavers).extracting(DesiredUser::id).containsExactly("u-zoe");
      assertThat(deleted).as("by the key it left with").extracting(DeletedUser::id).containsExactly("u-eli");
    }
  }
}
