package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Rows become visible in seq order although two nodes insert at once: otherwise a paged walk in
 * creation order could meet a row appearing behind its cursor and show another row twice.
 */
@RequiresPostgres
class AppendOrderOnPostgresTest {
  final ObjectMapper json = new ObjectMapper();
  final UserStore users = new UserStore(json);

  ObjectNode user(String name) {
    ObjectNode doc = json.createObjectNode().put("userName", name).put("active", true);
    doc.putArray("emails").addObject().put("value", name).put("primary", true);
    return doc;
  }

  @Test
  void aSecondNodesInsertWaitsForTheFirstsCommitAndGetsTheLargerSeq() throws Exception {
    TestStore store = TestStore.freshPostgres();
    try (Database nodeA = Database.open(store.location()); Database nodeB = Database.open(store.location())) {
      CountDownLatch inserted = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<StoredResource> first = CompletableFuture.supplyAsync(() -> nodeA.write(c -> {
        StoredResource r = users.insert(c, "id-a", user("a@corp.example"), 1);
        inserted.countDown();
        release.await(10, TimeUnit.SECONDS);
        return r;
      }));
      assertThat(inserted.await(10, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<StoredResource> second = CompletableFuture.supplyAsync(
          () -> nodeB.write(c -> users.insert(c, "id-b", user("b@corp.example"), 2)));
      Thread.sleep(500);
      assertThat(second).as("node B's insert waits while node A's is uncommitted").isNotDone();

      release.countDown();
      assertThat(second.get(10, TimeUnit.SECONDS).seq()).isGreaterThan(first.get(10, TimeUnit.SECONDS).seq());
    }
  }
}
