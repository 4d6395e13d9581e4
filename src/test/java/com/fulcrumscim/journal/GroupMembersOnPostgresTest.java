package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A group written on one node while its member is deleted on another: the delete waits for the
 * group's commit and takes the membership with it, so no membership names a user that is gone.
 */
@RequiresPostgres
class GroupMembersOnPostgresTest {
  final ObjectMapper json = new ObjectMapper();
  final UserStore users = new UserStore(json);
  final GroupStore groups = new GroupStore(json);

  @Test
  void aUserDeletedOnOneNodeWhileAGroupNamesItOnAnotherLeavesNoMembershipBehind() throws Exception {
    TestStore store = TestStore.freshPostgres();
    try (Database nodeA = Database.open(store.location()); Database nodeB = Database.open(store.location())) {
      ObjectNode ada = json.createObjectNode().put("userName", "ada@corp.example").put("active", true);
      nodeA.write(c -> users.insert(c, "u1", ada, 1));
      Intake intakeOnB = new Intake(nodeB, new WorkQueue(nodeB, Clock.systemUTC()), users, groups, new JournalStore(),
          new Tombstones(), Clock.systemUTC(), StallWatch.none(), () -> {});

      CountDownLatch written = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      ObjectNode engines = json.createObjectNode().put("displayName", "Engines");
      engines.putArray("members").addObject().put("value", "u1");
      CompletableFuture<StoredResource> group = CompletableFuture.supplyAsync(() -> nodeA.write(c -> {
        StoredResource g = groups.insert(c, "g1", engines, 2);
        written.countDown();
        release.await(10, TimeUnit.SECONDS);
        return g;
      }));
      assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> intakeOnB.delete(EntityType.USER, "u1", v -> true,
          new IntakeRequest("req-delete", "{}")));
      Thread.sleep(500);
      assertThat(delete).as("the delete waits for the group that names the user").isNotDone();

      release.countDown();
      group.get(10, TimeUnit.SECONDS);
      delete.get(10, TimeUnit.SECONDS);
      long dangling = nodeA.read(c -> {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM scim_group_member m "
            + "WHERE NOT EXISTS (SELECT 1 FROM scim_user u WHERE u.id = m.user_id)")) {
          rs.next();
          return rs.getLong(1);
        }
      });
      assertThat(dangling).isZero();
    }
  }

  /**
   * A group's write locks the group, then its members: a user's delete that locked the user and
   * then waited for the group deadlocked with it. Here the group's write gives up on a member it
   * cannot lock within a fifth of a second, long before PostgreSQL would break a deadlock.
   */
  @Test
  void aUsersDeleteWaitingForOneOfItsGroupsHoldsNoLockOnTheUser() throws Exception {
    TestStore store = TestStore.freshPostgres();
    try (Database nodeA = Database.open(store.location()); Database nodeB = Database.open(store.location())) {
      ObjectNode ada = json.createObjectNode().put("userName", "ada@corp.example").put("active", true);
      ObjectNode engines = json.createObjectNode().put("displayName", "Engines");
      engines.putArray("members").addObject().put("value", "u1");
      nodeA.write(c -> {
        users.insert(c, "u1", ada, 1);
        return groups.insert(c, "g1", engines, 1);
      });
      Intake intakeOnB = new Intake(nodeB, new WorkQueue(nodeB, Clock.systemUTC()), users, groups, new JournalStore(),
          new Tombstones(), Clock.systemUTC(), StallWatch.none(), () -> {});

      CountDownLatch groupLocked = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Void> groupWrite = CompletableFuture.runAsync(() -> nodeA.write(c -> {
        groups.touch(c, List.of("g1"), 2);
        groupLocked.countDown();
        release.await(10, TimeUnit.SECONDS);
        c.createStatement().execute("SET LOCAL lock_timeout = 200");
        groups.writeRelated(c, "g1", engines);
        return null;
      }));
      assertThat(groupLocked.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> intakeOnB.delete(EntityType.USER, "u1", v -> true,
          new IntakeRequest("req-delete", null)));
      Thread.sleep(500);
      assertThat(delete).as("the delete waits for the group's write").isNotDone();

      release.countDown();
      groupWrite.get(10, TimeUnit.SECONDS);
      delete.get(10, TimeUnit.SECONDS);
      assertThat(nodeA.read(c -> groups.find(c, "g1", true)).orElseThrow().references()).isEmpty();
    }
  }
}
