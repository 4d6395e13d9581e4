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
 * A new user whose email finds a member no user manages looks for the leavers holding it, in every
 * plan and every resync: Okta's deactivated users by their current email and by the address they left
 * with, each an index search, never a scan of every user (deleted users: {@link TombstonesQueryPlanTest}).
 */
class LeaverLookupQueryPlanTest {
  @TempDir Path dir;

  @Test
  void inactiveUsersAreLookedUpByTheirEmailAndTheirLeftWithKeyIndexes() {
    List<String> steps = plan(DesiredState.inactiveUsersWithEmailSql(Dialect.SQLITE));
    assertThat(steps).noneMatch(step -> step.startsWith("SCAN scim_user"))
        .anyMatch(step -> step.contains("scim_user_email")).anyMatch(step -> step.contains("scim_user_left_with_key"));
  }

  @Test
  void activeUsersAreLookedUpByTheEmailIndexUpToTheFirstWildcardOfTheirKey() {
    List<String> steps = plan(DesiredState.activeUsersWithEmailSql(Dialect.SQLITE).replace("?", "'ada.z%@corp.example'"));
    assertThat(steps).noneMatch(step -> step.startsWith("SCAN scim_user")).anyMatch(step -> step.contains("scim_user_email"));
  }

  /** Every linked leaver's reconcile asks whom its member may be handed to (SamePerson). */
  @Test
  void thePersonPushedAgainIsLookedUpByTheEmailIndexWhateverTheAddressBeginsWith() {
    List<String> steps = plan(DesiredState.activeUsersPushedWithEmailBetweenSql(Dialect.SQLITE)
        .replaceFirst("\\?", "'élodie@corp.example'"));
    assertThat(steps).noneMatch(step -> step.startsWith("SCAN scim_user")).anyMatch(step -> step.contains("scim_user_email"));
  }

  private List<String> plan(String sql) {
    try (Database db = Database.open(dir.resolve("p.db"))) {
      return db.read(c -> {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery("EXPLAIN QUERY PLAN " + sql.replace("?", "'ada@corp.example'"))) {
          while (rs.next()) {
            out.add(rs.getString("detail"));
          }
        }
        return out;
      });
    }
  }
}
