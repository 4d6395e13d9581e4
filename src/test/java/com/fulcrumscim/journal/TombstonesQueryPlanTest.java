package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconciler looks deleted users up by email (their last one, and the one they left with) for
 * every active user whose email finds a member no user manages, and a tombstone is kept for good per
 * Okta delete: the look is an index search, never a read of every tombstone (about 8 ms a look at
 * 100,000 on SQLite without it).
 */
class TombstonesQueryPlanTest {
  @TempDir Path dir;

  @Test
  void deletedUsersAreLookedUpByEmailInTheirEmailAndLeftWithKeyIndexes() {
    try (Database db = Database.open(dir.resolve("p.db"))) {
      List<String> steps = db.read(c -> {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery("EXPLAIN QUERY PLAN "
            + Tombstones.withEmailSql(Dialect.SQLITE).replace("?", "'Ada@corp.example'"))) {
          while (rs.next()) {
            out.add(rs.getString("detail"));
          }
        }
        return out;
      });
      assertThat(steps).noneMatch(step -> step.startsWith("SCAN user_tombstone"))
          .anyMatch(step -> step.startsWith("SEARCH user_tombstone") && step.contains("user_tombstone_email"))
          .anyMatch(step -> step.startsWith("SEARCH user_tombstone") && step.contains("user_tombstone_left_with_key"));
    }
  }
}
