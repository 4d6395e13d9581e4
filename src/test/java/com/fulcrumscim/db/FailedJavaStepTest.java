package com.fulcrumscim.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration's Java step that fails with anything (not only a SQLException) leaves the store as
 * the migration found it: setAutoCommit(true) after a failure not rolled back committed half of
 * V018 (review-s17b F1), and the next open failed on the column it had already added.
 */
class FailedJavaStepTest {
  @TempDir Path dir;

  @Test
  void aJavaStepThrowingARuntimeExceptionLeavesSchema17WholeAndTheNextOpenMigrates() throws Exception {
    Path file = dir.resolve("bridge.db");
    TestStore store = TestStore.sqlite(file);
    OlderRelease.schema(store.location(), 17);
    OlderRelease.wrote(store.location(), "INSERT INTO scim_user (id, user_name, user_name_key, active, email, doc, created_at, "
        + "updated_at) VALUES ('u-zoe', 'zoe', 'zoe', 1, 'ZOË@corp.example', '{}', 1, 1)");
    Map<String, Migrations.JavaStep> failing = Map.of("V018__email_key.sql", c -> {
      EmailKeyBackfill.run(c);
      throw new IllegalStateException("the step failed");
    });

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      assertThatThrownBy(() -> Migrations.apply(c, Dialect.SQLITE, failing))
          .isInstanceOf(IllegalStateException.class).hasMessage("the step failed");
    }

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      assertThat(one(c, "PRAGMA user_version")).containsExactly("17");
      assertThat(one(c, "SELECT name FROM pragma_table_info('scim_user') WHERE name = 'email_key'")).isEmpty();
      assertThat(one(c, "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'scim_user_email%'"))
          .containsExactly("scim_user_email");
    }
    try (Database db = Database.open(store.location())) {
      List<String> key = db.read(c -> one(c, "SELECT email_key FROM scim_user WHERE id = 'u-zoe'"));
      assertThat(key).containsExactly("zoë@corp.example");
    }
    assertThat(OlderRelease.version(store.location())).isEqualTo(OlderRelease.newest());
  }

  private static List<String> one(Connection c, String query) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = c.createStatement().executeQuery(query)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
