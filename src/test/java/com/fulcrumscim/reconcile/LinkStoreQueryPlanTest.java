package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads made once per group plan must cost the group's size, not the organization's. */
class LinkStoreQueryPlanTest {
  @TempDir Path dir;

  @Test
  void aGroupsLinkedMembersAreReadFromItsOwnRowsThenTheirLinks() {
    try (Database db = Database.open(dir.resolve("p.db"))) {
      List<String> steps = plan(db,
          LinkStore.memberIdsOfGroupQuery(com.fulcrumscim.db.Dialect.SQLITE).replace("?", "'g'"));
      assertThat(steps).hasSize(2);
      assertThat(steps.get(0)).startsWith("SEARCH m").contains("group_id=?");
      assertThat(steps.get(1)).startsWith("SEARCH l").contains("scim_id=?");
    }
  }

  @Test
  void aGroupsLeavingMembersAreLookedUpByTheirOwnLinksNotByEveryUser() {
    try (Database db = Database.open(dir.resolve("p.db"))) {
      List<String> steps = plan(db,
          LinkStore.leavingAmongSql(3).replaceFirst("\\?", "'m1'").replaceFirst("\\?", "'m2'").replaceFirst("\\?", "'m3'"));
      assertThat(steps).noneMatch(step -> step.startsWith("SCAN"));
      assertThat(steps).anyMatch(step -> step.startsWith("SEARCH l") && step.contains("fulcrum_id=?"));
    }
  }

  private static List<String> plan(Database db, String sql) {
    return db.read(c -> {
      List<String> out = new ArrayList<>();
      try (ResultSet rs = c.createStatement().executeQuery("EXPLAIN QUERY PLAN " + sql)) {
        while (rs.next()) {
          out.add(rs.getString("detail"));
        }
      }
      return out;
    });
  }
}
