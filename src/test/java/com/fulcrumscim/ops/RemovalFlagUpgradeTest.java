package com.fulcrumscim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.OlderRelease;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Schema 7 flags the rows that take access away (work.removal); a release of schema 4 (the 4
 * December one) queued none so (review-s12b F1). Its deprovisionings still queued, retrying or DEAD
 * at the upgrade are flagged as intake would have flagged them: counted by the removal gauges and
 * status, and claimed before other due work.
 */
class RemovalFlagUpgradeTest {
  @TempDir Path dir;

  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @Test
  void deprovisioningsDeadAtAnUpgradeFromSchema4CountAsDeadRemovals() throws Exception {
    TestStore store = schema4();

    try (Database db = Database.open(store.location())) {
      assertThat(new OpsStore(db).deadRemovals()).as("u-gone (inactive), u-deleted, g-gone").isEqualTo(3);
    }
  }

  @Test
  void deprovisioningsRetryingAtAnUpgradeFromSchema4CountAsFailingRemovals() throws Exception {
    TestStore store = schema4();

    try (Database db = Database.open(store.location())) {
      assertThat(new OpsStore(db).failingRemovals()).as("u-left (inactive), g-shrunk").isEqualTo(2);
    }
  }

  @Test
  void aDeactivationPendingAtAnUpgradeFromSchema4IsClaimedBeforeEarlierDueWork() throws Exception {
    TestStore store = schema4();

    try (Database db = Database.open(store.location())) {
      assertThat(new WorkQueue(db, Clock.systemUTC()).claim(1)).extracting(WorkItem::key)
          .containsExactly(ResourceKey.user("u-quit"));
    }
  }

  /** `journal retry --all-dead` keeps each row's flag: the deprovisionings it revives run before the other changes it revives. */
  @Test
  void deprovisioningsDeadAtAnUpgradeFromSchema4RunFirstWhenRetried() throws Exception {
    TestStore store = schema4();

    try (Database db = Database.open(store.location())) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      queue.claim(2); // u-quit, u-new: pending before the retry
      queue.revive(null, WorkState.DEAD);
      assertThat(queue.claim(3)).extracting(WorkItem::key).containsExactlyInAnyOrder(
          ResourceKey.user("u-gone"), ResourceKey.user("u-deleted"), ResourceKey.group("g-gone"));
    }
  }

  /**
   * The 4 December release stamped a change's journal entry before rewriting the group's members,
   * and the row it queued after (review-s13a F-A): the removal that reset a DONE row is older than
   * the row by that rewrite's time, a few milliseconds, or seconds for a group of 100,000 members on
   * PostgreSQL.
   */
  @ParameterizedTest
  @ValueSource(longs = {3, 10_000})
  void aMemberRemovalStampedBeforeTheRowItQueuedIsADeadRemoval(long rewrite) throws Exception {
    TestStore store = aGroupAtSchema4();
    journal(store, "g", "PATCH", REMOVES_A_MEMBER, 5_000);
    work(store, "GROUP", "g", "DEAD", 3, 0, 5_000 + rewrite);

    assertThat(deadRemovals(store)).isEqualTo(1);
  }

  /** The add queued the row again after the removal was done: the removal is not in the row's life. */
  @Test
  void aMemberRemovalAppliedBeforeTheChangeThatQueuedTheRowAgainIsNoRemoval() throws Exception {
    TestStore store = aGroupAtSchema4();
    journal(store, "g", "PATCH", REMOVES_A_MEMBER, 5_000);
    journal(store, "g", "PATCH", "{\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"u-ok\"}]}]}", 6_000);
    work(store, "GROUP", "g", "DEAD", 3, 0, 6_003);

    assertThat(deadRemovals(store)).isZero();
  }

  /**
   * A change that empties the group takes out every member it had: Okta's "Push now" of an emptied
   * group (a replace of members with [], with a path or without) and a PUT with no member (review-s13a F-B).
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "PATCH {\"Operations\":[{\"op\":\"replace\",\"path\":\"members\",\"value\":[]}]}",
      "PATCH {\"Operations\":[{\"op\":\"replace\",\"value\":[],\"path\":\"members\"}]}",
      "PATCH {\"Operations\":[{\"op\":\"replace\",\"value\":{\"id\":\"g\",\"displayName\":\"g\",\"members\":[]}}]}",
      "REPLACE {\"displayName\":\"g\",\"members\":[]}",
      "REPLACE {\"displayName\":\"g\"}"})
  void aChangeThatEmptiesTheGroupIsADeadRemoval(String change) throws Exception {
    TestStore store = aGroupAtSchema4();
    journal(store, "g", change.substring(0, change.indexOf(' ')), change.substring(change.indexOf(' ') + 1), 5_000);
    work(store, "GROUP", "g", "DEAD", 3, 0, 5_000);

    assertThat(deadRemovals(store)).isEqualTo(1);
  }

  /** Okta's full push names every member the group keeps, as its PUT does: nothing in it says whether one left. */
  @Test
  void aPatchReplacingTheMembersWithAFullListIsNoRemoval() throws Exception {
    TestStore store = aGroupAtSchema4();
    journal(store, "g", "PATCH", "{\"Operations\":[{\"op\":\"replace\",\"path\":\"members\",\"value\":[{\"value\":\"u-ok\"}]}]}", 5_000);
    work(store, "GROUP", "g", "DEAD", 3, 0, 5_000);

    assertThat(deadRemovals(store)).isZero();
  }

  /**
   * The release of 5 December evening had schema 6: it claimed rows (V006) and left them DEAD with
   * their claim, and had no flag to write. Its claimed deactivation is a removal: a claim does not
   * say a release of schema 7 or more judged the row (a flag kept on that ground missed these, and a
   * deprovisioned person kept access with every alarm quiet; the false alarm the other way is the
   * safe side).
   */
  @Test
  void aDeactivationASchema6ReleaseClaimedAndLeftDeadIsADeadRemoval() throws Exception {
    TestStore store = store();
    OlderRelease.schema(store.location(), 6);
    user(store, "u-gone", 0);
    work(store, "USER", "u-gone", "DEAD", 3, 0);
    OlderRelease.wrote(store.location(), "UPDATE work SET claim = 42, claimed_generation = 1");

    assertThat(deadRemovals(store)).isEqualTo(1);
  }

  private static final String REMOVES_A_MEMBER =
      "{\"Operations\":[{\"op\":\"remove\",\"path\":\"members[value eq \\\"u-ok\\\"]\"}]}";

  private TestStore aGroupAtSchema4() throws Exception {
    TestStore store = store();
    OlderRelease.schema(store.location(), 4);
    user(store, "u-ok", 1);
    group(store, "g");
    return store;
  }

  private static long deadRemovals(TestStore store) throws Exception {
    try (Database db = Database.open(store.location())) {
      return new OpsStore(db).deadRemovals();
    }
  }

  /**
   * The rows a schema-4 release left: DEAD and RETRYING deprovisionings (a user deactivated, one
   * deleted, a group deleted, a group PATCHed with members taken out) beside changes that take nothing
   * away in the same states (an active user's, a group's member added with a name that says remove, a
   * group PUT, which Okta sends for any change and which is not guessed to be a removal: review-s12c
   * F3), and a deactivation due after a create.
   */
  private TestStore schema4() throws Exception {
    TestStore store = store();
    OlderRelease.schema(store.location(), 4);
    user(store, "u-ok", 1);
    user(store, "u-gone", 0);
    user(store, "u-left", 0);
    user(store, "u-new", 1);
    user(store, "u-quit", 0);
    group(store, "g-grown");
    group(store, "g-shrunk");
    group(store, "g-failing");
    group(store, "g-replaced");
    journal(store, "g-grown", "PATCH", "{\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"u-ok\",\"display\":\"Remove-list reviewers\"}]}]}");
    journal(store, "g-replaced", "REPLACE", "{\"displayName\":\"g-replaced\",\"members\":[{\"value\":\"u-ok\"}]}");
    journal(store, "g-shrunk", "PATCH", "{\"Operations\":[{\"op\":\"Remove\",\"path\":\"members[value eq \\\"u-left\\\"]\"}]}");
    journal(store, "g-failing", "PATCH", "{\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"u-new\"}]}]}");
    work(store, "USER", "u-ok", "DEAD", 3, 0);
    work(store, "USER", "u-gone", "DEAD", 3, 0);
    work(store, "USER", "u-deleted", "DEAD", 3, 0);
    work(store, "GROUP", "g-gone", "DEAD", 3, 0);
    work(store, "GROUP", "g-grown", "DEAD", 3, 0);
    work(store, "GROUP", "g-replaced", "DEAD", 3, 0);
    work(store, "USER", "u-left", "RETRYING", 2, 4_000_000_000_000L);
    work(store, "GROUP", "g-shrunk", "RETRYING", 2, 4_000_000_000_000L);
    work(store, "GROUP", "g-failing", "RETRYING", 2, 4_000_000_000_000L);
    work(store, "USER", "u-new", "PENDING", 0, 1000);
    work(store, "USER", "u-quit", "PENDING", 0, 2000);
    return store;
  }

  private static void user(TestStore store, String id, int active) throws Exception {
    OlderRelease.wrote(store.location(), "INSERT INTO scim_user (id, user_name, user_name_key, active, email, doc, "
        + "created_at, updated_at) VALUES ('" + id + "', '" + id + "', '" + id + "', " + active + ", '" + id
        + "@corp.example', '{}', 1000, 1000)");
  }

  private static void group(TestStore store, String id) throws Exception {
    OlderRelease.wrote(store.location(), "INSERT INTO scim_group (id, display_name, display_name_key, doc, created_at, "
        + "updated_at) VALUES ('" + id + "', '" + id + "', '" + id + "', '{}', 1000, 1000)");
  }

  private static void journal(TestStore store, String groupId, String op, String body) throws Exception {
    journal(store, groupId, op, body, 1000);
  }

  private static void journal(TestStore store, String groupId, String op, String body, long receivedAt) throws Exception {
    OlderRelease.wrote(store.location(), "INSERT INTO journal (received_at, request_id, entity_type, entity_id, op, body) "
        + "VALUES (" + receivedAt + ", 'r-" + groupId + "', 'GROUP', '" + groupId + "', '" + op + "', '" + body + "')");
  }

  private static void work(TestStore store, String type, String id, String state, int attempts, long due) throws Exception {
    work(store, type, id, state, attempts, due, 1000);
  }

  private static void work(TestStore store, String type, String id, String state, int attempts, long due, long createdAt)
      throws Exception {
    OlderRelease.wrote(store.location(), "INSERT INTO work (entity_type, entity_id, state, generation, attempts, "
        + "next_attempt_at, last_error, created_at, updated_at) VALUES ('" + type + "', '" + id + "', '" + state + "', 1, "
        + attempts + ", " + due + ", 'HTTP 503', " + createdAt + ", " + createdAt + ")");
  }
}
