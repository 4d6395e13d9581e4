package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
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
  void inactiveUsersAreLookedUpByTheirEmailKeyAndTheirLeftWithKeyIndexes() {
    List<String> steps = plan(DesiredState.INACTIVE_USERS_WITH_EMAIL_SQL);
    assertThat(steps).noneMatch(step -> step.startsWith("SCAN scim_user"))
        .anyMatch(step -> step.contains("scim_user_email_key")).anyMatch(step -> step.contains("scim_user_left_with_key"));
  }

  /**
   * The users a leaver's address freed (FreedEmail, in the one writer): one search of the key's
   * index whatever the address begins with, where a LIKE led by a wildcard (for a non-ASCII first
   * letter) read every user.
   */
  @Test
  void activeUsersAreLookedUpByTheEmailKeyIndexWhateverTheAddressBeginsWith() {
    List<String> steps = plan(DesiredState.ACTIVE_USERS_WITH_EMAIL_SQL.replace("?", "'élodie@corp.example'"));
    assertThat(steps).noneMatch(step -> step.startsWith("SCAN scim_user")).anyMatch(step -> step.contains("scim_user_email_key"));
  }

  /** Every linked leaver's reconcile asks whom its member may be handed to (SamePerson). */
  @Test
  void thePersonPushedAgainIsLookedUpByTheEmailKeyIndexWhateverTheAddressBeginsWith() {
    List<String> steps = plan(DesiredState.ACTIVE_USERS_PUSHED_WITH_EMAIL_BETWEEN_SQL.replaceFirst("\\?", "'élodie@corp.example'"));
    assertThat(steps).noneMatch(step -> step.startsWith("SCAN scim_user")).anyMatch(step -> step.contains("scim_user_email_key"));
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
