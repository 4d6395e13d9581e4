package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Lookups Okta and Entra make on every assignment must be index searches, never scans. */
class StoreQueryPlanTest {
  @TempDir Path dir;
  Database db;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("p.db"));
  }

  @AfterEach
  void close() {
    db.close();
  }

  List<String> plan(String sql) {
    return db.read(c -> {
      List<String> steps = new ArrayList<>();
      try (ResultSet rs = c.createStatement().executeQuery("EXPLAIN QUERY PLAN " + sql)) {
        while (rs.next()) {
          steps.add(rs.getString("detail"));
        }
      }
      return steps;
    });
  }

  static String lookup(String table, String column) {
    return "SELECT seq, id, doc, version, created_at, updated_at FROM " + table + " WHERE " + column
        + " = 'x' ORDER BY seq";
  }

  @Test
  void userNameEqSearchesItsIndex() {
    assertThat(plan(lookup("scim_user", "user_name_key"))).noneMatch(s -> s.startsWith("SCAN"))
        .anyMatch(s -> s.contains("user_name_key"));
  }

  @Test
  void externalIdEqSearchesItsIndex() {
    assertThat(plan(lookup("scim_user", "external_id"))).noneMatch(s -> s.startsWith("SCAN"))
        .anyMatch(s -> s.contains("scim_user_external_id"));
  }

  @Test
  void groupDisplayNameEqSearchesItsIndex() {
    assertThat(plan(lookup("scim_group", "display_name_key"))).noneMatch(s -> s.startsWith("SCAN"));
  }

  /**
   * Every active user's POST or PUT asks it inside the write: one probe of the email key's index
   * whatever the address begins with (an email led by a non-ASCII letter included).
   */
  @ParameterizedTest
  @ValueSource(strings = {"zoë@mail.example", "élodie@mail.example"})
  void theActiveEmailCheckSearchesTheEmailKeyIndex(String key) {
    List<String> steps = db.read(c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + UserStore.ACTIVE_EMAIL_SQL)) {
        ps.setString(1, key);
        ps.setString(2, "u-1");
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString("detail"));
          }
        }
      }
      return out;
    });
    assertThat(steps).noneMatch(s -> s.startsWith("SCAN")).anyMatch(s -> s.contains("scim_user_email_key"));
  }

  @Test
  void aKeysetPageSearchesByRowid() {
    assertThat(plan("SELECT id FROM scim_user WHERE seq > 5 ORDER BY seq LIMIT 100"))
        .noneMatch(s -> s.equals("SCAN scim_user"));
  }

  /**
   * A page sorted by an indexed attribute walks that index in both directions, a row without a value
   * last ascending (RFC 7644 §3.4.2.3): no sort of every row per page at 100k users. emails.value
   * sorts case-insensitively (not caseExact) on the email index, whose shape its fold is.
   */
  @ParameterizedTest
  @ValueSource(strings = {"scim_user id", "scim_user externalId", "scim_user userName", "scim_user emails.value",
      "scim_group displayName", "scim_group id", "scim_group externalId"})
  void aPageSortedByAnIndexedAttributeWalksItsIndex(String tableAndAttribute) {
    String table = tableAndAttribute.split(" ")[0];
    String attribute = tableAndAttribute.split(" ")[1];
    ResourceStore store = table.equals("scim_user") ? new UserStore(new com.fasterxml.jackson.databind.ObjectMapper())
        : new GroupStore(new com.fasterxml.jackson.databind.ObjectMapper());
    boolean caseInsensitive = attribute.equals("userName") || attribute.equals("emails.value") || attribute.equals("displayName");
    for (boolean descending : new boolean[] {false, true}) {
      ListOrder order = store.order(attribute, caseInsensitive, descending).orElseThrow();
      assertThat(plan("SELECT seq, id, doc FROM " + table + " ORDER BY " + order.sql(Dialect.SQLITE)
          + " LIMIT 100 OFFSET 99900")).as(attribute + (descending ? " descending" : ""))
          .noneMatch(s -> s.contains("TEMP B-TREE")).anyMatch(s -> s.contains("USING INDEX"));
    }
  }
}
