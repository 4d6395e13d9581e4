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
 * Schema 11 keeps the address each user had when it lost access (review-s8b F1). A release of
 * schema 10 kept only the current one: the upgrade takes an inactive user's current email, and a
 * tombstone's last one, the best each row has; an active user left with none.
 */
class LeftWithUpgradeTest {
  @TempDir Path dir;

  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @Test
  void rowsStoredBySchema10LeftWithTheirCurrentEmail() throws Exception {
    TestStore store = schema10();

    try (Database db = Database.open(store.location())) {
      DesiredState desired = new DesiredState(db);
      Database.Work<Optional<DesiredUser>> active = c -> desired.user(c, "u-active");
      Database.Work<Optional<DesiredUser>> gone = c -> desired.user(c, "u-gone");
      Database.Work<Optional<DeletedUser>> deleted = c -> new Tombstones().find(c, "u-deleted");
      assertThat(db.read(active).orElseThrow().leftWith()).isNull();
      assertThat(db.read(gone).orElseThrow().leftWith()).isEqualTo("Bob@corp.example");
      assertThat(db.read(deleted)).contains(new DeletedUser("u-deleted", "cy", "cy@corp.example", "cy@corp.example"));
    }
  }

  /**
   * The upgrade folds the key of a row already there as SQL does, ASCII letters only: a non-ASCII
   * capital in it is still found by the email as before the upgrade, with its exact letters.
   */
  @Test
  void aLeaverStoredBySchema10IsFoundByItsEmailAsBefore() throws Exception {
    TestStore store = schema10();

    try (Database db = Database.open(store.location())) {
      DesiredState desired = new DesiredState(db);
      Database.Work<List<DesiredUser>> bob = c -> desired.inactiveUsersWithEmail(c, "bob@CORP.example");
      Database.Work<List<DesiredUser>> zoe = c -> desired.inactiveUsersWithEmail(c, "zoË@corp.example");
      Database.Work<List<DeletedUser>> cy = c -> new Tombstones().withEmail(c, "CY@corp.example");
      assertThat(db.read(bob)).extracting(DesiredUser::id).containsExactly("u-gone");
      assertThat(db.read(zoe)).extracting(DesiredUser::id).containsExactly("u-zoe");
      assertThat(db.read(cy)).extracting(DeletedUser::id).containsExactly("u-deleted");
    }
  }

  private TestStore schema10() throws Exception {
    TestStore store = store();
    OlderRelease.schema(store.location(), 10);
    OlderRelease.wrote(store.location(), "INSERT INTO scim_user (id, user_name, user_name_key, active, email, doc, "
        + "created_at, updated_at, active_since) VALUES ('u-active', 'ada', 'ada', 1, 'ada@corp.example', '{}', 1000, 5000, 1000)");
    OlderRelease.wrote(store.location(), "INSERT INTO scim_user (id, user_name, user_name_key, active, email, doc, "
        + "created_at, updated_at, inactive_since) VALUES ('u-gone', 'bob', 'bob', 0, 'Bob@corp.example', '{}', 2000, 7000, 7000)");
    OlderRelease.wrote(store.location(), "INSERT INTO scim_user (id, user_name, user_name_key, active, email, doc, "
        + "created_at, updated_at, inactive_since) VALUES ('u-zoe', 'zoe', 'zoe', 0, 'ZOË@corp.example', '{}', 2000, 7000, 7000)");
    OlderRelease.wrote(store.location(), "INSERT INTO user_tombstone (scim_id, user_name, email, deleted_at, left_at) "
        + "VALUES ('u-deleted', 'cy', 'cy@corp.example', 9000, 9000)");
    return store;
  }
}
