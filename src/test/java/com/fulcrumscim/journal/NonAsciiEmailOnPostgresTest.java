package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.reconcile.LinkStore;
import com.fulcrumscim.testing.PostgresServer;
import com.fulcrumscim.testing.RequiresPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A user's email is looked up by its key ({@link MatchKey}, every letter's case folded in Java and
 * stored in scim_user.email_key), whatever the database's own locale. SQL's own folding (lower()
 * under the C collation, ASCII letters only, as SQLite's NOCASE) is left to the tombstones' look-up:
 * a database created with a Unicode locale folds É to é in lower(), the schema's C columns do not,
 * and a lookup must fold both sides alike to find an email as stored.
 */
@RequiresPostgres
class NonAsciiEmailOnPostgresTest {
  static final String EMAIL = "ÉVA@x.example";
  final ObjectMapper json = new ObjectMapper();
  final UserStore users = new UserStore(json);
  PostgresServer.Database pg;
  Database db;

  @BeforeEach
  void open() {
    pg = PostgresServer.shared().freshDatabase("C.utf8");
    db = Database.open(new StoreLocation.Postgres(pg.jdbcUrl(), pg.username(), pg.password()));
    db.write(c -> users.insert(c, "id-eva", user("eva", EMAIL), 1));
  }

  @AfterEach
  void close() {
    db.close();
  }

  ObjectNode user(String name, String email) {
    ObjectNode doc = json.createObjectNode().put("userName", name).put("active", true);
    doc.putArray("emails").addObject().put("value", email).put("primary", true);
    return doc;
  }

  @Test
  void aManagedUserIsFoundByItsNonAsciiEmailAsStored() {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) "
        + "VALUES ('USER', 'id-eva', 'f-1', 'CREATED', 1)"));
    assertThat(new LinkStore(db).managedUserWithEmail(EMAIL)).contains("id-eva");
  }

  @Test
  void aSecondActiveUserWithTheSameNonAsciiEmailIsRefusedNamingTheFirst() {
    assertThatThrownBy(() -> db.write(c -> users.insert(c, "id-other", user("other", EMAIL), 2)))
        .isInstanceOf(IntakeRejected.class)
        .hasMessageContaining("is already the email of active user id-eva");
  }

  @Test
  void aManagedUserIsFoundByItsEmailInAnotherCaseOfANonAsciiLetter() {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) "
        + "VALUES ('USER', 'id-eva', 'f-1', 'CREATED', 1)"));
    assertThat(new LinkStore(db).managedUserWithEmail("éva@x.example")).contains("id-eva");
  }

  /** Intake's check folds every letter's case, by the stored key, as Fulcrum compares emails. */
  @Test
  void aSecondActiveUserWithTheEmailInAnotherCaseOfANonAsciiLetterIsRefusedNamingTheFirst() {
    assertThatThrownBy(() -> db.write(c -> users.insert(c, "id-other", user("other", "éva@x.example"), 2)))
        .isInstanceOf(IntakeRejected.class)
        .hasMessageContaining("is already the email of active user id-eva");
  }

  /**
   * Such a pair stored before schema 18 never blocks a change of either: Okta's demotion or rename
   * must reach Fulcrum. Only a new claim of the key is checked.
   */
  @Test
  void aPairStoredBeforeTheKeyFoldedEveryLetterStillTakesChangesOfEither() {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO scim_user (id, user_name, user_name_key, active, email, "
        + "email_key, doc, created_at, updated_at) VALUES ('id-old', 'old', 'old', 1, 'éva@x.example', 'éva@x.example', "
        + "'{\"userName\":\"old\",\"active\":true,\"emails\":[{\"value\":\"éva@x.example\",\"primary\":true}]}', 1, 1)"));

    db.write(c -> users.update(c, users.locked(c, "id-eva").orElseThrow(), users.row(user("eva.renamed", EMAIL)), 3));
    db.write(c -> users.update(c, users.locked(c, "id-old").orElseThrow(), users.row(user("old.renamed", "éva@x.example")), 4));

    assertThat(new DesiredState(db).user("id-old")).map(DesiredUser::userName).contains("old.renamed");
    assertThat(new DesiredState(db).user("id-eva")).map(DesiredUser::userName).contains("eva.renamed");
  }

  /**
   * Two nodes claiming one key at once take turns: an update claiming it (a reactivation, an email
   * change), not committed yet, holds back another node's create of the key until it commits, which
   * the create's check then sees. Neither's own check could see the other's uncommitted row, and the
   * database's unique index of active emails folds ASCII letters only.
   */
  @Test
  void aCreateWaitsForAnotherNodesUncommittedClaimOfTheKeyAndIsRefused() throws Exception {
    db.write(c -> users.update(c, users.locked(c, "id-eva").orElseThrow(), users.row(user("eva", "eva@elsewhere.example")), 2));
    try (Connection first = pg.connect(); Connection second = pg.connect()) {
      first.setAutoCommit(false);
      second.setAutoCommit(false);
      users.update(first, users.find(first, "id-eva", false).orElseThrow(), users.row(user("eva", EMAIL)), 3);

      ExecutorService other = Executors.newSingleThreadExecutor();
      try {
        Future<?> create = other.submit(() -> users.insert(second, "id-other", user("other", "éva@x.example"), 4));
        assertThatThrownBy(() -> create.get(1, TimeUnit.SECONDS)).as("waits for the claim").isInstanceOf(TimeoutException.class);
        first.commit();
        assertThatThrownBy(create::get).hasCauseInstanceOf(IntakeRejected.class)
            .hasMessageContaining("is already the email of active user id-eva");
      } finally {
        second.rollback();
        other.shutdownNow();
      }
    }
  }

  /** Tombstones are still looked up by the email folded as SQL folds it, on its index, whatever the database's locale. */
  @Test
  void aTombstoneEmailLookupUsesItsIndex() {
    List<String> plan = db.read(c -> {
      List<String> out = new ArrayList<>();
      c.createStatement().execute("SET enable_seqscan = off");
      try (ResultSet rs = c.createStatement().executeQuery("EXPLAIN SELECT scim_id FROM user_tombstone WHERE "
          + Dialect.POSTGRESQL.equalsIgnoringCase("email").replace("?", "'" + EMAIL + "'"))) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
    assertThat(String.join("\n", plan)).contains("user_tombstone_email").doesNotContain("Seq Scan");
  }
}
