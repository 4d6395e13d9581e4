package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.testing.IncompressibleText;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.SettableClock;
import com.fulcrumscim.testing.TestStore;
import java.sql.ResultSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL btree index entry holds at most 2,704 bytes. The SCIM layer bounds the indexed
 * attributes far below that; should a value get past it all the same, the write is refused as bad
 * input (400 invalidValue) with nothing written, not failed as a 500. The documents are made
 * here by hand, without the SCIM layer's limits.
 */
@RequiresPostgres
class IndexRowLimitOnPostgresTest {
  final ObjectMapper json = new ObjectMapper();
  final SettableClock clock = new SettableClock();
  Database db;
  Intake intake;

  @BeforeEach
  void open() {
    db = Database.open(TestStore.freshPostgres().location());
    intake = new Intake(db, new WorkQueue(db, clock), new UserStore(json), new GroupStore(json), new JournalStore(),
        new Tombstones(), clock, StallWatch.none(), () -> {});
  }

  @AfterEach
  void close() {
    db.close();
  }

  ObjectNode user(String userName, String externalId) {
    ObjectNode u = json.createObjectNode();
    u.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:User");
    u.put("userName", userName).put("externalId", externalId).put("active", true);
    return u;
  }

  long count(String sql) {
    return db.read(c -> {
      try (ResultSet rs = c.createStatement().executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  static void assertTooLarge(IntakeRejected e) {
    assertThat(e.reason()).isEqualTo(IntakeRejected.Reason.TOO_LARGE);
    ScimException scim = ScimException.of(e);
    assertThat(scim.status()).isEqualTo(400);
    assertThat(scim.scimType()).isEqualTo("invalidValue");
    assertThat(scim.detail()).contains("too long for the database to index");
  }

  @Test
  void aCreateWhoseUserNameOverflowsTheIndexIsRefusedAndWritesNothing() {
    assertThatThrownBy(() -> intake.create(EntityType.USER, user(IncompressibleText.of(3000), "e"), new IntakeRequest("r", null)))
        .isInstanceOfSatisfying(IntakeRejected.class, IndexRowLimitOnPostgresTest::assertTooLarge);
    assertThat(count("SELECT (SELECT count(*) FROM scim_user) + (SELECT count(*) FROM journal) + (SELECT count(*) FROM work)"))
        .isZero();
  }

  @Test
  void anUpdateWhoseExternalIdOverflowsTheIndexIsRefusedAndChangesNothing() {
    StoredResource u = intake.create(EntityType.USER, user("ada@example.com", "e"), new IntakeRequest("r", null));
    assertThatThrownBy(() -> intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH,
        old -> user("ada@example.com", IncompressibleText.of(10_000)), new IntakeRequest("r2", null)))
        .isInstanceOfSatisfying(IntakeRejected.class, IndexRowLimitOnPostgresTest::assertTooLarge);
    assertThat(count("SELECT version FROM scim_user")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM journal")).isEqualTo(1);
  }
}
