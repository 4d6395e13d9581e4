package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreCopy;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.SettableClock;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `db copy` moves a deleted user's tombstone to PostgreSQL with everything else: a removal still
 * in progress when a node moves up keeps the email that finds a member invited again by hand.
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
          new JournalStore(), new Tombstones(), clock, () -> {});
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
      assertThat(copied).contains(new DeletedUser(deleted, "leaver@example.com", "leaver@example.com"));
    }
  }
}
