package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Uniqueness of user names and emails as PostgreSQL enforces it for nodes writing at once. */
@RequiresPostgres
class UniquenessOnPostgresTest {
  final ObjectMapper json = new ObjectMapper();
  final UserStore users = new UserStore(json);

  ObjectNode user(String name, String email) {
    ObjectNode doc = json.createObjectNode().put("userName", name).put("active", true);
    doc.putArray("emails").addObject().put("value", email).put("primary", true);
    return doc;
  }

  @Test
  void aUserNameTakenByAnotherNodeMeanwhileIsReportedAsTheUserNameEvenWhenItReadsLikeAnEmail() throws Exception {
    TestStore store = TestStore.freshPostgres();
    try (Database nodeA = Database.open(store.location()); Database nodeB = Database.open(store.location())) {
      StoredResource b = nodeB.write(c -> users.insert(c, "id-b", user("b@corp.example", "b@corp.example"), 1));
      CountDownLatch inserted = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<StoredResource> first = CompletableFuture.supplyAsync(() -> nodeA.write(c -> {
        StoredResource r = users.insert(c, "id-a", user("someone@email.example", "a@corp.example"), 2);
        inserted.countDown();
        release.await(10, TimeUnit.SECONDS);
        return r;
      }));
      assertThat(inserted.await(10, TimeUnit.SECONDS)).isTrue();

      // B's check cannot see A's uncommitted row: the unique index refuses B's rename once A commits
      CompletableFuture<Boolean> rename = CompletableFuture.supplyAsync(() -> nodeB.write(
          c -> users.update(c, b, users.row(user("someone@email.example", "b@corp.example")), 3)));
      Thread.sleep(500);
      release.countDown();
      first.get(10, TimeUnit.SECONDS);

      Throwable refused = null;
      try {
        rename.get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        refused = e.getCause();
      }
      assertThat(refused).isInstanceOf(IntakeRejected.class)
          .hasMessageContaining("userName 'someone@email.example' is already taken");
    }
  }
}
