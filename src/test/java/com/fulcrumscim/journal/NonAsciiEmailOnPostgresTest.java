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
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SQL compares emails case-insensitively for ASCII letters only, as SQLite's NOCASE does, whatever
 * the database's own locale: a database created with a Unicode locale folds É to é in lower(), the
 * schema's C columns do not, and a lookup must fold both sides alike to find an email as stored.
 * The look-ups that must fold every letter, as Fulcrum does, let {@link MatchKey} decide.
 */
@RequiresPostgres
class NonAsciiEmailOnPostgresTest {
  static final String EMAIL = "ÉVA@x.example";
  final ObjectMapper json = new ObjectMapper();
  final UserStore users = new UserStore(json);
  Database db;

  @BeforeEach
  void open() {
    PostgresServer.Database pg = PostgresServer.shared().freshDatabase("C.utf8");
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

  /** Intake's check folds ASCII letters only, as on SQLite, and so does the active-email index. */
  @Test
  void aSecondActiveUserWithTheEmailInAnotherCaseOfANonAsciiLetterIsAccepted() {
    db.write(c -> users.insert(c, "id-other", user("other", "éva@x.example"), 2));
    assertThat(new DesiredState(db).user("id-other")).map(DesiredUser::active).contains(true);
  }

  /** Such a pair never blocks a change of either: Okta's demotion or rename must reach Fulcrum. */
  @Test
  void anActiveUserWhoseEmailAnotherHasInANonAsciiLettersCaseStillPassesTheCheck() {
    db.write(c -> users.insert(c, "id-other", user("other", "éva@x.example"), 2));
    db.write(c -> {
      users.requireUniqueFields(c, users.row(user("eva", EMAIL)), "id-eva");
      return null;
    });
  }

  @Test
  void theEmailLookupUsesTheEmailIndex() {
    List<String> plan = db.read(c -> {
      List<String> out = new ArrayList<>();
      c.createStatement().execute("SET enable_seqscan = off");
      try (ResultSet rs = c.createStatement().executeQuery("EXPLAIN SELECT id FROM scim_user WHERE "
          + Dialect.POSTGRESQL.equalsIgnoringCase("email").replace("?", "'" + EMAIL + "'"))) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
    assertThat(String.join("\n", plan)).contains("scim_user_email").doesNotContain("Seq Scan");
  }
}
