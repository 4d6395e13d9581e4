package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

  /** A user Okta deleted that the bridge never linked and never tried to create, queued. */
  void neverPushedLeaverPending(String userId) {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO user_tombstone (scim_id, user_name, email, deleted_at) "
        + "VALUES ('" + userId + "', '" + userId + "', '" + userId + "@corp.example', 0)"));
    new WorkQueue(db, Clock.systemUTC()).enqueue(ResourceKey.user(userId));
  }

  void removalMade(String userId) {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO reconcile_audit (at, entity_type, scim_id, action, result) "
        + "VALUES (" + System.currentTimeMillis() + ", 'USER', '" + userId + "', 'REMOVE_MEMBER', 'ok')"));
  }

  /** Holds {@code userId}'s queued row as the reconciler does, on Fulcrum member {@code memberId}, and approves it. */
  void heldOnThenApproved(String userId, String memberId) {
    WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
    WorkItem item = queue.claim(10).stream().filter(w -> w.key().scimId().equals(userId)).findFirst().orElseThrow();
    queue.record(item, new WorkQueue.Fate.Hold("mass-removal guard", memberId), List.of());
    assertThat(guard.approveHeld(queue, guard.held())).hasSize(1);
  }

  /** Weeks after the hold, the address may find another member: a new hire's own account (review-s8b F4). */
  @Test
  void anApprovalCoversTheMemberItsHoldNamedAndNoOther() {
    removalPending("u-leaver");
    removalPending("u-other");
    heldOnThenApproved("u-leaver", "m-held");

    assertThat(guard.holds("u-leaver", "m-held", new RemovalGuard.Removing(false, u -> false))).isEmpty();
    assertThat(guard.holds("u-leaver", "m-new-hire", new RemovalGuard.Removing(false, u -> false)))
        .hasValueSatisfying(why -> assertThat(why).contains("user/u-leaver", "Fulcrum member m-held",
            "Fulcrum member m-new-hire", "held again"));
  }

  /** A later change whose plan names another member (the user pushed again, and gone again) is not bound to an old hold's. */
  @Test
  void aHoldsMemberIsForgottenOnceItsRowEndsDone() {
    removalPending("u-leaver");
    removalPending("u-other");
    WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
    queue.record(queue.claim(10).stream().filter(w -> w.key().scimId().equals("u-leaver")).findFirst().orElseThrow(),
        new WorkQueue.Fate.Hold("mass-removal guard", "m-old"), List.of());
    queue.revive(ResourceKey.user("u-leaver"), WorkState.HELD);
    queue.done(queue.claim(10).stream().filter(w -> w.key().scimId().equals("u-leaver")).findFirst().orElseThrow());
    queue.enqueue(ResourceKey.user("u-leaver"));

    assertThat(guard.holds("u-leaver", "m-new", new RemovalGuard.Removing(false, u -> false)))
        .hasValueSatisfying(why -> assertThat(why).doesNotContain("m-old").contains("pending"));
  }

  /** A row held before schema 13 recorded no member: its approval holds it once more, naming the member. */
  @Test
  void anApprovalOfARowHeldWithNoMemberRecordedHoldsItOnceMore() {
    removalPending("u-leaver");
    removalPending("u-other");
    heldOnThenApproved("u-leaver", null);

    assertThat(guard.holds("u-leaver", "m-u-leaver", new RemovalGuard.Removing(false, u -> false)))
        .hasValueSatisfying(why -> assertThat(why).contains("not recorded", "Fulcrum member m-u-leaver"));
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

  /** Without adoption the guard reads the unlinked leavers from the creates in doubt: one of those is counted. */
  @Test
  void aRemovalsCheckCountsAQueuedLeaverWhoseCreateIsInDoubt() {
    removalPending("u-leaver");
    neverLinkedRemovalPending("u-in-doubt");

    assertThat(guard.holds("u-leaver", "m-leaver", new RemovalGuard.Removing(false, u -> true)))
        .hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 2 pending"));
  }

  /** One Okta deleted before any push has no member to remove, unless users.adopt_existing adopts one. */
  @Test
  void aQueuedLeaverNeverPushedCountsOnlyWithAdoption() {
    removalPending("u-leaver");
    neverPushedLeaverPending("u-never-pushed");

    assertThat(guard.holds("u-leaver", "m-leaver", new RemovalGuard.Removing(false, u -> true))).isEmpty();
    assertThat(guard.holds("u-leaver", "m-leaver", new RemovalGuard.Removing(true, u -> true)))
        .hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 2 pending"));
  }

  /** Nor when the member list shows no member with its email. */
  @Test
  void aQueuedLeaverWhoseMemberIsNotListedIsNotCounted() {
    removalPending("u-leaver");
    neverLinkedRemovalPending("u-in-doubt");

    assertThat(guard.holds("u-leaver", "m-leaver", new RemovalGuard.Removing(true, u -> false))).isEmpty();
  }

  /**
   * The guard's reads walk the queued rows (work_due), not the primary key: SQLite's planner took
   * that, which reads every user's row, settled or not, so each removal's check read the whole
   * organization (its creates in doubt first, without adoption), and the upper bound reads indexes only.
   */
  @Test
  void theGuardsReadsWalkTheQueuedRowsOnly() {
    assumeTrue(store().location() instanceof StoreLocation.SqliteFile, "SQLite's query plan");
    for (String sql : List.of(RemovalGuard.pendingSql(Dialect.SQLITE), RemovalGuard.unlinkedLeaversSql(Dialect.SQLITE, false),
        RemovalGuard.boundSql(Dialect.SQLITE))) {
      assertThat(plan(sql)).as(sql).contains("SEARCH w USING COVERING INDEX work_due").doesNotContain("SCAN w")
          .doesNotContain("SEARCH w USING PRIMARY KEY (entity_type=?)");
    }
    assertThat(plan(RemovalGuard.unlinkedLeaversSql(Dialect.SQLITE, true))).startsWith("SEARCH i USING PRIMARY KEY")
        .contains("SEARCH w USING PRIMARY KEY (entity_type=? AND entity_id=?)");
    assertThat(plan(RemovalGuard.boundSql(Dialect.SQLITE)).lines().filter(l -> l.startsWith("SEARCH")))
        .hasSize(3).allMatch(l -> l.contains("USING COVERING INDEX"));
  }

  String plan(String sql) {
    return db.read(c -> {
      StringBuilder detail = new StringBuilder();
      try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          detail.append(rs.getString("detail")).append('\n');
        }
      }
      return detail.toString();
    });
  }
}
