package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guard's count of removals: each person once, whether their removal is pending, made, or both for a moment. */
class RemovalGuardTest {
  @TempDir Path dir;
  Database db;
  /** Guard: more than 1 removal per hour. */
  RemovalGuard guard;

  TestStore store() {
    return TestStore.sqlite(dir.resolve("guard.db"));
  }

  @BeforeEach
  void open() {
    db = Database.open(store().location());
    guard = new RemovalGuard(db, Clock.systemUTC(), 1, 1, Duration.ofHours(1));
  }

  @AfterEach
  void close() {
    db.close();
  }

  /** A deactivated user's removal queued: linked, with a work row. */
  void removalPending(String userId) {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) "
        + "VALUES ('USER', '" + userId + "', 'm-" + userId + "', 'CREATED', 0)"));
    new WorkQueue(db, Clock.systemUTC()).enqueue(ResourceKey.user(userId));
  }

  /**
   * A user Okta deleted that the bridge never linked, queued: its create is in doubt, so its plan
   * removes the member that create made.
   */
  void neverLinkedRemovalPending(String userId) {
    db.write(c -> {
      c.createStatement().executeUpdate("INSERT INTO user_tombstone (scim_id, user_name, email, deleted_at) "
          + "VALUES ('" + userId + "', '" + userId + "', '" + userId + "@corp.example', 0)");
      new IntentStore(db).record(c, EntityType.USER, new Intent(userId, userId + "@corp.example", Set.of(), Instant.now()));
      return null;
    });
    new WorkQueue(db, Clock.systemUTC()).enqueue(ResourceKey.user(userId));
  }

  void removalMade(String userId) {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO reconcile_audit (at, entity_type, scim_id, action, result) "
        + "VALUES (" + System.currentTimeMillis() + ", 'USER', '" + userId + "', 'REMOVE_MEMBER', 'ok')"));
  }

  /** The audit row commits before the unlink and the outcome: a reconciler on PostgreSQL showed it between them. */
  @Test
  void aRemovalMadeWhoseLinkAndRowAreNotYetSettledIsOnePerson() {
    removalPending("u-leaver");
    removalMade("u-leaver");

    assertThat(guard.holdsMore(0)).isEmpty();
    assertThat(guard.holdsMore(1)).hasValueSatisfying(why -> assertThat(why).startsWith("1 removals in the last 1h and 1 pending"));
  }

  /** Its DELETE went through but the check read failed: the next attempt found the member gone and only unlinked. */
  @Test
  void aPersonUnlinkedWithoutARemovalRowCountsAsRemoved() {
    removalPending("u-other");
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO reconcile_audit (at, entity_type, scim_id, action, result) "
        + "VALUES (" + System.currentTimeMillis() + ", 'USER', 'u-checked-late', 'UNLINK', 'ok')"));

    assertThat(guard.holdsMore(0)).hasValueSatisfying(why -> assertThat(why).startsWith("1 removals in the last 1h and 1 pending"));
  }

  /** A resync's orphan batch counts the queued removals of never-linked users, as each removal's own check does. */
  @Test
  void anOrphanBatchOnTopOfQueuedNeverLinkedRemovalsIsHeld() {
    neverLinkedRemovalPending("u-in-doubt");

    assertThat(guard.holdsMore(0)).isEmpty();
    assertThat(guard.holdsMore(1)).hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 2 pending"));
  }

  @Test
  void removalsOfDifferentPeopleAddUp() {
    removalPending("u-one");
    removalMade("u-two");

    assertThat(guard.holdsMore(0)).hasValueSatisfying(why -> assertThat(why).startsWith("1 removals in the last 1h and 1 pending"));
  }
}
