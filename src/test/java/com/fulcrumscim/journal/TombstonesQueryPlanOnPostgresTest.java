package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.PostgresServer;
import com.fulcrumscim.testing.RequiresPostgres;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TombstonesQueryPlanTest} on PostgreSQL: the lookup's expression is the index's. */
@RequiresPostgres
class TombstonesQueryPlanOnPostgresTest {
  @Test
  void deletedUsersAreLookedUpByEmailInTheirEmailAndLeftWithKeyIndexes() {
    PostgresServer.Database pg = PostgresServer.shared().migratedDatabase();
    try (Database db = Database.open(new StoreLocation.Postgres(pg.jdbcUrl(), pg.username(), pg.password()))) {
      List<String> plan = db.read(c -> {
        List<String> out = new ArrayList<>();
        // an empty table is read whole whatever the indexes: forbid that to see which one the lookup can use
        c.createStatement().execute("SET enable_seqscan = off");
        try (ResultSet rs = c.createStatement().executeQuery("EXPLAIN "
            + Tombstones.withEmailSql(Dialect.POSTGRESQL).replace("?", "'Ada@corp.example'"))) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
        return out;
      });
      assertThat(String.join("\n", plan)).contains("user_tombstone_email").contains("user_tombstone_left_with_key")
          .doesNotContain("Seq Scan");
    }
  }
}
