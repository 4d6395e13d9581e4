package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.testing.SettableClock;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The intake keeps when a user lost access (scim_user.inactive_since; a deleted one's tombstone
 * left_at) and when it became active with its email (active_since), as they happen: the times a
 * hand-over's same-person window lies between, which no later change may move (review-s4 F1); and
 * the address it had when it lost access (left_with_email), which its member has (review-s8b F1).
 */
class AccessTimesTest {
  @TempDir Path dir;
  final ObjectMapper json = new ObjectMapper();
  final SettableClock clock = new SettableClock();
  Database db;
  Intake intake;
  DesiredState desired;

  @BeforeEach
  void open() {
    db = Database.open(store());
    intake = new Intake(db, new WorkQueue(db, clock), new UserStore(json), new GroupStore(json), new JournalStore(),
        new Tombstones(), clock, StallWatch.none(), () -> {});
    desired = new DesiredState(db);
  }

  /** The store under test; the ...OnPostgresTest subclass gives a PostgreSQL one. */
  StoreLocation store() {
    return new StoreLocation.SqliteFile(dir.resolve("a.db"));
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void anEditOfAnInactiveUserKeepsWhenItLostAccess() {
    String id = created("ada@corp.example", true);
    clock.tick(Duration.ofDays(1));
    Instant deactivated = clock.instant();
    put(id, "ada@corp.example", false, "Ada");
    clock.tick(Duration.ofDays(120));
    put(id, "ada@corp.example", false, "Augusta");

    assertThat(inactiveSince(id)).contains(deactivated);
    assertThat(activeSince(id)).isNull();
  }

  @Test
  void aReactivationEndsTheLeaveAndStartsAnActivation() {
    String id = created("ada@corp.example", false);
    clock.tick(Duration.ofDays(700));
    put(id, "ada@corp.example", true, "Ada");

    assertThat(inactiveSince(id)).isEmpty();
    assertThat(activeSince(id)).isEqualTo(clock.millis());
  }

  @Test
  void anEmailChangeOfAnActiveUserEndsItsActivationButACaseChangeDoesNot() {
    String id = created("ada@corp.example", true);
    long createdAt = clock.millis();
    clock.tick(Duration.ofHours(1));
    put(id, " ADA@corp.example", true, "Ada");
    assertThat(activeSince(id)).as("the same address").isEqualTo(createdAt);

    put(id, "bob@corp.example", true, "Ada");
    assertThat(activeSince(id)).isNull();
    put(id, "bob@corp.example", true, "Augusta");
    assertThat(activeSince(id)).as("still not since an activation with this address").isNull();
  }

  /** As every look-up by email compares (scim_user.email_key), not SQL's ASCII lower() (review-s17b F4). */
  @Test
  void aChangeOfANonAsciiLettersCaseIsNoEmailChange() {
    String id = created("ZOË@corp.example", true);
    long createdAt = clock.millis();
    clock.tick(Duration.ofHours(1));
    put(id, "zoë@corp.example", true, "Zoë");

    assertThat(activeSince(id)).as("the same address").isEqualTo(createdAt);
  }

  @Test
  void aUserDeletedLongAfterItsDeactivationLeftAtTheDeactivation() {
    String id = created("ada@corp.example", true);
    Instant deactivated = clock.instant();
    put(id, "ada@corp.example", false, "Ada");
    clock.tick(Duration.ofDays(30));
    intake.delete(EntityType.USER, id, v -> true, new IntakeRequest("req-delete", null));

    assertThat(leftAt(id)).contains(deactivated);
  }

  @Test
  void anActiveUserDeletedLeftAtItsDelete() {
    String id = created("ada@corp.example", true);
    clock.tick(Duration.ofDays(30));
    intake.delete(EntityType.USER, id, v -> true, new IntakeRequest("req-delete", null));

    assertThat(leftAt(id)).contains(clock.instant());
  }

  /**
   * The address a user left with (review-s8b F1) is the one it had before the change that took its
   * access: a PUT that deactivates it and gives it another address at once leaves with the old one,
   * which its member has.
   */
  @Test
  void aDeactivationLeavesWithTheAddressTheUserHadBeforeIt() {
    String id = created("ada@corp.example", true);
    put(id, "ada.old@corp.example", false, "Ada");

    assertThat(leftWith(id)).isEqualTo("ada@corp.example");
  }

  @Test
  void anAddressChangeOfAnInactiveUserKeepsTheAddressItLeftWith() {
    String id = created("ada@corp.example", true);
    put(id, "ada@corp.example", false, "Ada");
    clock.tick(Duration.ofDays(1));
    put(id, "ada.old@corp.example", false, "Ada");

    assertThat(leftWith(id)).isEqualTo("ada@corp.example");
  }

  @Test
  void aReactivationForgetsTheAddressTheUserLeftWith() {
    String id = created("ada@corp.example", false);
    assertThat(leftWith(id)).as("created inactive").isEqualTo("ada@corp.example");
    put(id, "ada.old@corp.example", true, "Ada");

    assertThat(leftWith(id)).isNull();
  }

  @Test
  void aUserDeletedAfterAnAddressChangeWhileInactiveLeftWithTheAddressItHadWhenDeactivated() {
    String id = created("ada@corp.example", true);
    put(id, "ada@corp.example", false, "Ada");
    put(id, "ada.old@corp.example", false, "Ada");
    intake.delete(EntityType.USER, id, v -> true, new IntakeRequest("req-delete", null));

    Database.Work<Optional<DeletedUser>> read = c -> new Tombstones().find(c, id);
    assertThat(db.read(read)).contains(new DeletedUser(id, "ada", "ada.old@corp.example", "ada@corp.example"));
  }

  /**
   * The address a user left with is found by any letter's case, as the member list matches it: a
   * non-ASCII capital too, which SQLite's NOCASE and PostgreSQL's lower() under C do not fold.
   */
  @Test
  void aUserIsFoundByTheAddressItLeftWithWhateverTheCaseOfItsNonAsciiLetters() {
    String id = created("ZOË@corp.example", false);
    put(id, "zoe.old@corp.example", false, "Zoë");

    Database.Work<java.util.List<DesiredUser>> leavers = c -> desired.inactiveUsersWithEmail(c, "zoë@corp.example");
    assertThat(db.read(leavers)).extracting(DesiredUser::id).containsExactly(id);
    intake.delete(EntityType.USER, id, v -> true, new IntakeRequest("req-delete", null));
    Database.Work<java.util.List<DeletedUser>> deleted = c -> new Tombstones().withEmail(c, "Zoë@Corp.example");
    assertThat(db.read(deleted)).extracting(DeletedUser::id).containsExactly(id);
  }

  /**
   * The leaver's plan releases the address it left with only once its email is another: an address
   * unchanged but for a non-ASCII capital is the same address, as the member list matches it.
   */
  @Test
  void theAddressLeftWithIsKeptWhileTheEmailIsTheSameWhateverItsNonAsciiCapitals() {
    String id = created("ZOË@corp.example", false);
    db.write(c -> {
      new LeftWith().release(c, id);
      return null;
    });

    assertThat(leftWith(id)).isEqualTo("ZOË@corp.example");
  }

  /** On SQLite every statement of a write runs on the one writer thread that all requests wait for. */
  @Test
  void aCreateWritesItsAccessTimesInItsInsert() {
    countRowUpdates();
    created("ada@corp.example", true);

    assertThat(rowUpdates()).isZero();
  }

  @Test
  void aChangeMovesItsAccessTimesInItsOneUpdate() {
    String id = created("ada@corp.example", true);
    countRowUpdates();
    put(id, "bob@corp.example", false, "Ada");

    assertThat(rowUpdates()).isEqualTo(1);
    assertThat(inactiveSince(id)).contains(clock.instant());
  }

  private String created(String email, boolean active) {
    return intake.create(EntityType.USER, user(email, active, "Ada"), new IntakeRequest("req-create", null)).id();
  }

  /** Okta's PUT of the whole user. */
  private void put(String id, String email, boolean active, String givenName) {
    intake.update(EntityType.USER, id, v -> true, JournalOp.REPLACE, old -> user(email, active, givenName),
        new IntakeRequest("req-put", null));
  }

  private ObjectNode user(String email, boolean active, String givenName) {
    try {
      return new ResourceNormalizer().user(json.readTree("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
          + "\"userName\":\"ada\",\"name\":{\"givenName\":\"" + givenName + "\"},\"active\":" + active
          + ",\"emails\":[{\"value\":\"" + email + "\",\"primary\":true}]}"), null);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Optional<Instant> inactiveSince(String id) {
    Database.Work<Optional<Instant>> read = c -> desired.inactiveSince(c, id);
    return db.read(read);
  }

  private String leftWith(String id) {
    Database.Work<Optional<DesiredUser>> read = c -> desired.user(c, id);
    return db.read(read).orElseThrow().leftWith();
  }

  private Optional<Instant> leftAt(String id) {
    Database.Work<Optional<Instant>> read = c -> new Tombstones().leftAt(c, id);
    return db.read(read);
  }

  /** From now on, row_updates.n counts the UPDATEs of scim_user rows (a trigger's, in the write's own transaction). */
  private void countRowUpdates() {
    db.write(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE row_updates (n INTEGER NOT NULL)");
        s.execute("INSERT INTO row_updates VALUES (0)");
        if (Dialect.of(c) == Dialect.POSTGRESQL) {
          s.execute("CREATE FUNCTION count_row_update() RETURNS trigger LANGUAGE plpgsql AS "
              + "$$ BEGIN UPDATE row_updates SET n = n + 1; RETURN NULL; END $$");
          s.execute("CREATE TRIGGER count_row_updates AFTER UPDATE ON scim_user FOR EACH ROW EXECUTE FUNCTION count_row_update()");
        } else {
          s.execute("CREATE TRIGGER count_row_updates AFTER UPDATE ON scim_user BEGIN UPDATE row_updates SET n = n + 1; END");
        }
      }
      return null;
    });
  }

  private long rowUpdates() {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT n FROM row_updates");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  private Long activeSince(String id) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT active_since FROM scim_user WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          long at = rs.getLong(1);
          return rs.wasNull() ? null : at;
        }
      }
    });
  }
}
