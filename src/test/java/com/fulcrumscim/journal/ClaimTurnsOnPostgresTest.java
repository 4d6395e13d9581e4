package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.PostgresServer;
import com.fulcrumscim.testing.RequiresPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An update claiming an address and a create of it, on two nodes at once, take the key's turn before
 * either writes its row (review-s17b F3): the update wrote its row first, then waited for the turn the
 * create held, while the create's INSERT waited for the update's row in the unique index of active
 * emails: a deadlock, retried, a 409 a second late. Now the create waits and is refused at once.
 */
@RequiresPostgres
class ClaimTurnsOnPostgresTest {
  final ObjectMapper json = new ObjectMapper();
  final UserStore users = new UserStore(json);

  @Test
  void aCreateOfAnAddressAnUpdateIsClaimingWaitsForItAndIsRefused() throws Exception {
    PostgresServer.Database pg = PostgresServer.shared().freshDatabase("C.utf8");
    try (Database db = Database.open(new StoreLocation.Postgres(pg.jdbcUrl(), pg.username(), pg.password()))) {
      db.write(c -> users.insert(c, "id-eva", user("eva", "eva@elsewhere.example"), 1));
      db.write(c -> {
        try (Statement s = c.createStatement()) {
          // holds the update's transaction open after its row is written: the window, a second wide
          s.execute("CREATE FUNCTION slow_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1); RETURN NEW; END $$");
          s.execute("CREATE TRIGGER slow_update AFTER UPDATE ON scim_user FOR EACH ROW EXECUTE FUNCTION slow_update()");
        }
        return null;
      });
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try (Connection first = pg.connect(); Connection second = pg.connect()) {
        first.setAutoCommit(false);
        second.setAutoCommit(false);
        Future<?> update = pool.submit(() -> {
          users.update(first, users.find(first, "id-eva", false).orElseThrow(), users.row(user("eva", "ada@x.example")), 3);
          first.commit();
          return null;
        });
        Thread.sleep(300);
        Future<?> create = pool.submit(() -> {
          users.insert(second, "id-other", user("other", "ada@x.example"), 4);
          second.commit();
          return null;
        });

        update.get(30, TimeUnit.SECONDS);
        Throwable refused = catchThrowable(() -> create.get(30, TimeUnit.SECONDS));
        assertThat(refused).as("no deadlock (40P01): the create is refused for the address").hasCauseInstanceOf(IntakeRejected.class);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private ObjectNode user(String name, String email) {
    ObjectNode doc = json.createObjectNode().put("userName", name).put("active", true);
    doc.putArray("emails").addObject().put("value", email).put("primary", true);
    return doc;
  }
}
