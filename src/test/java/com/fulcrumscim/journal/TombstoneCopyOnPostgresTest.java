package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreCopy;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.SettableClock;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `db copy` moves a deleted user's tombstone to PostgreSQL with everything else: a removal still
 * in progress when a node moves up keeps the email that finds a member invited again by hand, and
 * when each user lost or gained access, which a hand-over's same-person window is measured by.
 */
@RequiresPostgres
class TombstoneCopyOnPostgresTest {
  @TempDir Path dir;

  @Test
  void dbCopyCarriesADeletedUsersTombstone() throws Exception {
    ObjectMapper json = new ObjectMapper();
    SettableClock clock = new SettableClock();
    String deleted;
    try (Database sqlite = Database.open(dir.resolve("bridge.db"))) {
      Intake intake = new Intake(sqlite, new WorkQueue(sqlite, clock), new UserStore(json), new GroupStore(json),
          new JournalStore(), new Tombstones(), clock, StallWatch.none(), () -> {});
      deleted = intake.create(EntityType.USER, new ResourceNormalizer().user(json.readTree(
          "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"leaver@example.com\"}"), null),
          new IntakeRequest("req-1", null)).id();
      intake.delete(EntityType.USER, deleted, v -> true, new IntakeRequest("req-2", null));
    }

    try (Database from = Database.openExisting(dir.resolve("bridge.db"), Database.Access.READ_ONLY);
        Database to = Database.open(TestStore.freshPostgres().location())) {
      StoreCopy.Counts counts = StoreCopy.copy(from, to);
      Optional<DeletedUser> copied = to.read(c -> new Tombstones().find(c, deleted));

      assertThat(counts.match()).as(counts.toString()).isTrue();
      assertThat(counts.target()).containsEntry("user_tombstone", 1L);
      assertThat(copied).contains(new DeletedUser(deleted, "leaver@example.com", "leaver@example.com", "leaver@example.com"));
    }
  }

  @Test
  void dbCopyCarriesWhenEachUserLostOrGainedAccess() throws Exception {
    ObjectMapper json = new ObjectMapper();
    SettableClock clock = new SettableClock();
    long created = clock.millis();
    String gone;
    String deleted;
    try (Database sqlite = Database.open(dir.resolve("bridge.db"))) {
      Intake intake = new Intake(sqlite, new WorkQueue(sqlite, clock), new UserStore(json), new GroupStore(json),
          new JournalStore(), new Tombstones(), clock, StallWatch.none(), () -> {});
      intake.create(EntityType.USER, user(json, "ada@example.com", true), new IntakeRequest("req-1", null));
      gone = intake.create(EntityType.USER, user(json, "bob@example.com", false), new IntakeRequest("req-2", null)).id();
      deleted = intake.create(EntityType.USER, user(json, "cy@example.com", false), new IntakeRequest("req-3", null)).id();
      clock.tick(Duration.ofDays(30));
      intake.delete(EntityType.USER, deleted, v -> true, new IntakeRequest("req-4", null));
    }

    try (Database from = Database.openExisting(dir.resolve("bridge.db"), Database.Access.READ_ONLY);
        Database to = Database.open(TestStore.freshPostgres().location())) {
      StoreCopy.copy(from, to);
      String users = "SELECT id, inactive_since, active_since FROM scim_user ORDER BY id";
      String tombstones = "SELECT scim_id, deleted_at, left_at FROM user_tombstone ORDER BY scim_id";

      assertThat(rows(to, users)).isEqualTo(rows(from, users)).contains(gone + "," + created + ",0");
      assertThat(rows(to, tombstones)).isEqualTo(rows(from, tombstones))
          .containsExactly(deleted + "," + clock.millis() + "," + created);
    }
  }

  private static ObjectNode user(ObjectMapper json, String email, boolean active)
      throws Exception {
    return new ResourceNormalizer().user(json.readTree("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
        + "\"userName\":\"" + email + "\",\"active\":" + active + "}"), null);
  }

  /** Each row of {@code query} as its values joined by commas (times as numbers on either database). */
  private static List<String> rows(Database db, String query) {
    return db.read(c -> {
      List<String> out = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
        while (rs.next()) {
          out.add(rs.getString(1) + "," + rs.getLong(2) + "," + rs.getLong(3));
        }
      }
      return out;
    });
  }
}
