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
    assertThat(updateRacingAnInsert(user("someone@email.example", "a@corp.example"),
        user("someone@email.example", "b@corp.example")))
        .isInstanceOf(IntakeRejected.class)
        .hasMessageContaining("userName 'someone@email.example' is already taken");
  }

  /**
   * Creates take turns (Dialect.appendInOrder), so a second create's check sees the first; an
   * update (an email change, a reactivation) does not, and the active-email index refuses it, in
   * the check's case folding (ASCII letters).
   */
  @Test
  void anEmailTakenByAnotherNodesCreateMeanwhileIsRefusedToAnUpdateInAnotherCase() throws Exception {
    assertThat(updateRacingAnInsert(user("a@corp.example", "ada@corp.example"), user("b@corp.example", "ADA@Corp.example")))
        .isInstanceOf(IntakeRejected.class)
        .hasMessageContaining("email is already the email of another active user");
  }

  /**
   * Node A inserts {@code inserted} and holds its transaction open while node B changes its active
   * user b@corp.example to {@code changed}, whose check cannot see A's uncommitted row; what refused
   * B's change once A committed, null if nothing did.
   */
  private Throwable updateRacingAnInsert(ObjectNode inserted, ObjectNode changed) throws Exception {
    TestStore store = TestStore.freshPostgres();
    try (Database nodeA = Database.open(store.location()); Database nodeB = Database.open(store.location())) {
      StoredResource b = nodeB.write(c -> users.insert(c, "id-b", user("b@corp.example", "b@corp.example"), 1));
      CountDownLatch insertedNotCommitted = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<StoredResource> first = CompletableFuture.supplyAsync(() -> nodeA.write(c -> {
        StoredResource r = users.insert(c, "id-a", inserted, 2);
        insertedNotCommitted.countDown();
        release.await(10, TimeUnit.SECONDS);
        return r;
      }));
      assertThat(insertedNotCommitted.await(10, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Boolean> change = CompletableFuture.supplyAsync(() -> nodeB.write(
          c -> users.update(c, b, users.row(changed), 3)));
      Thread.sleep(500);
      release.countDown();
      first.get(10, TimeUnit.SECONDS);
      try {
        change.get(10, TimeUnit.SECONDS);
        return null;
      } catch (ExecutionException e) {
        return e.getCause();
      }
    }
  }
}
