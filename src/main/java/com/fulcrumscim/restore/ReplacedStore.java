package com.fulcrumscim.restore;

import com.fulcrumscim.db.Migrations;
import com.fulcrumscim.db.SqliteRestore;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * SQL on the database a restore replaces: read-only, of this release's schema or an older one, and
 * perhaps damaged. Each read stands alone, so a damaged page costs only what lies on it; a scan
 * hands on every row it read before it failed. A table an older schema lacks reads as empty.
 */
final class ReplacedStore {
  /** The newest journal entry of a key: what the identity provider said last about it. */
  record Newest(ResourceKey key, long id, String requestId, long receivedAt, String op) {}

  /** The schema that added work.held_member (V013). */
  private static final int HELD_MEMBER_SCHEMA = 13;

  private final SqliteRestore.Replaced replaced;
  private final Connection c;
  private final Set<String> tables;

  private ReplacedStore(SqliteRestore.Replaced replaced, Set<String> tables) {
    this.replaced = replaced;
    this.c = replaced.connection();
    this.tables = tables;
  }

  static ReplacedStore open(Path file) throws SQLException {
    SqliteRestore.Replaced replaced = SqliteRestore.openReplaced(file);
    try (Statement s = replaced.connection().createStatement();
        ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
      Set<String> tables = new HashSet<>();
      while (rs.next()) {
        tables.add(rs.getString(1));
      }
      return new ReplacedStore(replaced, tables);
    } catch (SQLException | RuntimeException e) {
      replaced.close();
      throw e;
    }
  }

  Migrations.Versions versions() {
    return replaced.versions();
  }

  /** What SQLite's quick_check finds wrong with the file; empty when nothing. */
  List<String> damage() {
    return replaced.damage();
  }

  /**
   * The newest journal entry of every user and group. The journal keeps each key's newest entry
   * whatever its age (see {@code JournalStore.prune}), so every key the identity provider ever
   * spoke of is here. SQLite takes a bare column's value from the row holding max(id).
   */
  void newestEntries(Consumer<Newest> each) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT entity_type, entity_id, max(id), request_id, received_at, op FROM journal GROUP BY entity_type, entity_id")) {
      while (rs.next()) {
        each.accept(new Newest(new ResourceKey(EntityType.valueOf(rs.getString(1)), rs.getString(2)), rs.getLong(3),
            rs.getString(4), rs.getLong(5), rs.getString(6)));
      }
    }
  }

  /** Every journal entry of {@code key}, oldest first. */
  List<Row> entries(ResourceKey key) throws SQLException {
    return rows("SELECT * FROM journal WHERE entity_type = ? AND entity_id = ? ORDER BY id", key.type().name(), key.scimId());
  }

  /** The desired-state row of {@code key} (scim_user or scim_group); empty when deleted. */
  Optional<Row> resource(ResourceKey key) throws SQLException {
    return first("SELECT * FROM " + (key.type() == EntityType.USER ? "scim_user" : "scim_group") + " WHERE id = ?",
        key.scimId());
  }

  /** The SCIM ids of the users in group {@code groupId}. */
  List<String> members(String groupId) throws SQLException {
    return rows("SELECT user_id FROM scim_group_member WHERE group_id = ? ORDER BY user_id", groupId).stream()
        .map(r -> r.string("user_id")).toList();
  }

  Optional<Row> tombstone(String userId) throws SQLException {
    return tables.contains("user_tombstone") ? first("SELECT * FROM user_tombstone WHERE scim_id = ?", userId) : Optional.empty();
  }

  void links(Consumer<Row> each) throws SQLException {
    scan("SELECT * FROM link ORDER BY linked_at", each);
  }

  /** The addresses users' members had in Fulcrum (member_address, from schema 17 on). */
  void memberAddresses(Consumer<Row> each) throws SQLException {
    if (tables.contains("member_address")) {
      scan("SELECT * FROM member_address ORDER BY scim_id", each);
    }
  }

  void intents(Consumer<Row> each) throws SQLException {
    if (tables.contains("reconcile_intent")) {
      scan("SELECT * FROM reconcile_intent ORDER BY created_at", each);
    }
  }

  /**
   * The removal approvals (and role take-back approvals) that still cover their user's unsettled
   * change here, as RemovalGuard reads one: given at or after the change its work row waits with.
   * One whose row is settled was spent, or covers nothing any more.
   */
  void approvals(Consumer<Row> each) throws SQLException {
    if (tables.contains("removal_approval")) {
      // a.*: the member an approval covers (member_id) is there from schema 13 on
      scan("SELECT a.* FROM removal_approval a JOIN work w ON w.entity_type = 'USER' "
          + "AND w.entity_id = a.scim_id WHERE a.approved_at >= w.created_at AND w.state NOT IN ('DONE', 'SKIPPED') "
          + "ORDER BY a.scim_id", each);
    }
  }

  /**
   * The work rows whose change stopped: DEAD, held, or set aside (DONE with its reason kept), and
   * any other that records the Fulcrum member its change stopped on (held_member, from schema 13 on:
   * kept while a later change of the key is queued).
   */
  void stoppedWork(Consumer<Row> each) throws SQLException {
    scan("SELECT * FROM work WHERE state IN ('DEAD', 'HELD') OR (state = 'DONE' AND last_error IS NOT NULL)"
        + (versions().found() >= HELD_MEMBER_SCHEMA ? " OR held_member IS NOT NULL" : "") + " ORDER BY entity_type, entity_id",
        each);
  }

  /** The work row of {@code key}; empty when it has none. */
  Optional<Row> work(ResourceKey key) throws SQLException {
    return first("SELECT * FROM work WHERE entity_type = ? AND entity_id = ?", key.type().name(), key.scimId());
  }

  /** The audit rows written at or after {@code at} (epoch milliseconds), oldest first. */
  void auditSince(long at, Consumer<Row> each) throws SQLException {
    if (tables.contains("reconcile_audit")) {
      scan("SELECT * FROM reconcile_audit WHERE at >= ? ORDER BY id", each, at);
    }
  }

  /** What each of {@code keys} holds in the setting table there; empty for a key it does not hold. */
  Map<String, Optional<String>> settings(List<String> keys) throws SQLException {
    Map<String, Optional<String>> values = new LinkedHashMap<>();
    for (String key : keys) {
      values.put(key, first("SELECT value FROM setting WHERE key = ?", key).map(r -> r.string("value")));
    }
    return values;
  }

  private Optional<Row> first(String sql, Object... params) throws SQLException {
    return rows(sql, params).stream().findFirst();
  }

  private List<Row> rows(String sql, Object... params) throws SQLException {
    List<Row> out = new ArrayList<>();
    scan(sql, out::add, params);
    return out;
  }

  private void scan(String sql, Consumer<Row> each, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          each.accept(Row.of(rs));
        }
      }
    }
  }

  /** Closes the file; a failure to close a read-only connection loses nothing. */
  void closeQuietly() {
    try {
      replaced.close();
    } catch (SQLException ignored) {
      // nothing was written through it
    }
  }
}
