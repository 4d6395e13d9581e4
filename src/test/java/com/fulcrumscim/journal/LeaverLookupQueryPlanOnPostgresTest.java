package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link LeaverLookupQueryPlanTest} on PostgreSQL: each lookup can use its index (sequential scans
 * are turned off so that the plan on a near-empty table shows whether an index matches the query).
 */
@RequiresPostgres
class LeaverLookupQueryPlanOnPostgresTest {
  @Test
  void inactiveUsersAreLookedUpByTheirEmailKeyAndTheirLeftWithKeyIndexes() {
    assertThat(plan(DesiredState.INACTIVE_USERS_WITH_EMAIL_SQL))
        .contains("scim_user_email_key").contains("scim_user_left_with_key").doesNotContain("Seq Scan");
  }

  @Test
  void activeUsersAreLookedUpByTheEmailKeyIndexWhateverTheAddressBeginsWith() {
    assertThat(plan(DesiredState.ACTIVE_USERS_WITH_EMAIL_SQL.replace("?", "'élodie@corp.example'")))
        .contains("Index Cond: (email_key = 'élodie@corp.example'::text)").doesNotContain("Seq Scan");
  }

  @Test
  void thePersonPushedAgainIsLookedUpByTheEmailKeyIndex() {
    assertThat(plan(DesiredState.ACTIVE_USERS_PUSHED_WITH_EMAIL_BETWEEN_SQL.replaceFirst("\\?", "'zoë@corp.example'")
        .replace("?", "0"))).contains("scim_user_email_key")
        .doesNotContain("Seq Scan");
  }

  private static String plan(String sql) {
    try (Database db = Database.open(TestStore.freshPostgres().location())) {
      return db.read(c -> {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement()) {
          s.execute("SET enable_seqscan = off");
          try (ResultSet rs = s.executeQuery("EXPLAIN " + sql.replace("?", "'ada@corp.example'"))) {
            while (rs.next()) {
              out.add(rs.getString(1));
            }
          }
        }
        return String.join("\n", out);
      });
    }
  }
}
