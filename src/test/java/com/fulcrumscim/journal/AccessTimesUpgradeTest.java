package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.OlderRelease;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema 10 keeps when each user lost and gained access (the same-person window of a hand-over).
 * A release of schema 9 kept neither: the upgrade takes an inactive user's last change, an active
 * user's create and a tombstone's delete, the best each row has, so a user reactivated before the
 * upgrade counts from its create, which never makes it a leaver's heir by mistake.
 */
class AccessTimesUpgradeTest {
  @TempDir Path dir;

  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @Test
  void rowsStoredBySchema9GetTheirAccessTimesFromWhatTheyKept() throws Exception {
    TestStore store = store();
    OlderRelease.schema(store.location(), 9);
    OlderRelease.wrote(store.location(), "INSERT INTO scim_user (id, user_name, user_name_key, active, email, doc, "
        + "created_at, updated_at) VALUES ('u-active', 'ada', 'ada', 1, 'ada@corp.example', '{}', 1000, 5000)");
    OlderRelease.wrote(store.location(), "INSERT INTO scim_user (id, user_name, user_name_key, active, email, doc, "
        + "created_at, updated_at) VALUES ('u-gone', 'bob', 'bob', 0, 'bob@corp.example', '{}', 2000, 7000)");
    OlderRelease.wrote(store.location(), "INSERT INTO user_tombstone (scim_id, user_name, email, deleted_at) "
        + "VALUES ('u-deleted', 'cy', 'cy@corp.example', 9000)");

    try (Database db = Database.open(store.location())) {
      DesiredState desired = new DesiredState(db);
      db.read(c -> {
        assertThat(desired.inactiveSince(c, "u-gone")).contains(Instant.ofEpochMilli(7000));
        assertThat(desired.inactiveSince(c, "u-active")).isEmpty();
        assertThat(new Tombstones().leftAt(c, "u-deleted")).contains(Instant.ofEpochMilli(9000));
        assertThat(desired.activeUsersPushedWithEmailBetween(c, "ADA@corp.example", Instant.ofEpochMilli(1000),
            Instant.ofEpochMilli(1000))).extracting(DesiredUser::id).containsExactly("u-active");
        assertThat(desired.activeUsersPushedWithEmailBetween(c, "ada@corp.example", Instant.ofEpochMilli(5000),
            Instant.ofEpochMilli(6000))).as("not from its last change").isEmpty();
        try (java.sql.Statement s = c.createStatement();
            java.sql.ResultSet rs = s.executeQuery("SELECT id, email_changed_at FROM scim_user ORDER BY id")) {
          java.util.Map<String, Object> changed = new java.util.TreeMap<>();
          while (rs.next()) {
            changed.put(rs.getString(1), rs.getObject(2) == null ? "never" : rs.getLong(2));
          }
          // what an inactive user's address was before is not known: never taken for someone who left with this one
          assertThat(changed).containsExactly(java.util.Map.entry("u-active", "never"), java.util.Map.entry("u-gone", 7000L));
        }
        return null;
      });
    }
  }
}
