package com.fulcrumscim.restore;

import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.MatchKey;
import com.fulcrumscim.journal.ResourceKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * SQL on the restored database for what is carried into it: rows of the replaced database written
 * as they stand there, by the restore alone, before any daemon runs on it. Every method runs in the
 * caller's transaction.
 */
final class RestoredStore {
  /** A key's desired-state row as the restored database holds it before the carry. */
  record Held(String name, String email, boolean active, long version) {}

  private static final Set<String> LINK_COLUMNS = Set.of("fulcrum_id", "origin", "linked_at", "okta_role_id");

  /** Whether the restored journal holds this entry of {@code key} (its ids may differ: matched by what it says). */
  boolean hasEntry(Connection c, ResourceKey key, String requestId, long receivedAt, String op) throws SQLException {
    return exists(c, "SELECT 1 FROM journal WHERE entity_type = ? AND entity_id = ? AND request_id = ? AND received_at = ? "
        + "AND op = ? LIMIT 1", key.type().name(), key.scimId(), requestId, receivedAt, op);
  }

  Optional<Held> held(Connection c, ResourceKey key) throws SQLException {
    boolean user = key.type() == EntityType.USER;
    try (PreparedStatement ps = c.prepareStatement(user
        ? "SELECT user_name, email, active, version FROM scim_user WHERE id = ?"
        : "SELECT display_name, NULL, 1, version FROM scim_group WHERE id = ?")) {
      ps.setString(1, key.scimId());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new Held(rs.getString(1), rs.getString(2), rs.getInt(3) == 1, rs.getLong(4)))
            : Optional.empty();
      }
    }
  }

  /**
   * Writes the replaced database's {@code row} of {@code key} over the restored one ({@code was}),
   * keeping that one's place in creation order; its version moves past both, so an ETag of either
   * never names the other's document. A user's email key is made here from its email: a replaced
   * database before schema 18 has none, and the user would be missed by every look-up by email.
   */
  void put(Connection c, ResourceKey key, Row replaced, Optional<Held> was) throws SQLException {
    String table = table(key.type());
    Row row = key.type() == EntityType.USER ? replaced.with("email_key", emailKey(replaced.string("email"))) : replaced;
    if (was.isEmpty()) {
      insert(c, table, row.without(Set.of("seq")));
      return;
    }
    Row values = row.without(Set.of("seq", "id")).with("version", Math.max(row.number("version"), was.get().version() + 1));
    List<String> columns = new ArrayList<>(values.values().keySet());
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET "
        + String.join(" = ?, ", columns) + " = ? WHERE id = ?")) {
      int i = bind(ps, values);
      ps.setString(i, key.scimId());
      ps.executeUpdate();
    }
  }

  private static String emailKey(String email) {
    return email == null ? null : MatchKey.of(email);
  }

  /** Deletes {@code key}'s desired-state row; a group's members go with it (ON DELETE CASCADE). */
  void remove(Connection c, ResourceKey key) throws SQLException {
    update(c, "DELETE FROM " + table(key.type()) + " WHERE id = ?", key.scimId());
  }

  /** The groups user {@code userId} is in. */
  List<String> groupsOf(Connection c, String userId) throws SQLException {
    return strings(c, "SELECT group_id FROM scim_group_member WHERE user_id = ?", userId);
  }

  List<String> members(Connection c, String groupId) throws SQLException {
    return strings(c, "SELECT user_id FROM scim_group_member WHERE group_id = ?", groupId);
  }

  /** Takes a deleted user out of its groups, as its delete did in the replaced database. */
  void leaveGroups(Connection c, String userId) throws SQLException {
    update(c, "DELETE FROM scim_group_member WHERE user_id = ?", userId);
  }

  /** Makes {@code userIds} the members of group {@code groupId}; answers those left out: no user here has the id. */
  List<String> setMembers(Connection c, String groupId, List<String> userIds) throws SQLException {
    update(c, "DELETE FROM scim_group_member WHERE group_id = ?", groupId);
    List<String> unknown = new ArrayList<>();
    for (String user : userIds) {
      if (exists(c, "SELECT 1 FROM scim_user WHERE id = ?", user)) {
        update(c, "INSERT INTO scim_group_member (group_id, user_id) VALUES (?, ?)", groupId, user);
      } else {
        unknown.add(user);
      }
    }
    return unknown;
  }

  /**
   * Keeps a deleted user's last userName and email (replacing any the restored database has), and
   * when it lost access: {@code leftAt} (the replaced database's tombstone's), else the restored
   * row's inactive_since while that row is still there, else the delete's time; likewise the address
   * it had then: {@code leftWith}, else the restored row's left_with_email, else {@code email}.
   */
  void keepTombstone(Connection c, String userId, String userName, String email, long deletedAt, Long leftAt, String leftWith)
      throws SQLException {
    update(c, "DELETE FROM user_tombstone WHERE scim_id = ?", userId);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO user_tombstone (scim_id, user_name, email, deleted_at, left_at, "
        + "left_with_email, left_with_key) VALUES (?, ?, ?, ?, COALESCE(?, (SELECT inactive_since FROM scim_user WHERE id = ?), ?), "
        + "COALESCE(?, (SELECT left_with_email FROM scim_user WHERE id = ?), ?), "
        + "COALESCE(?, (SELECT left_with_key FROM scim_user WHERE id = ?), ?))")) {
      ps.setString(1, userId);
      ps.setString(2, userName);
      ps.setString(3, email);
      ps.setLong(4, deletedAt);
      ps.setObject(5, leftAt, java.sql.Types.BIGINT);
      ps.setString(6, userId);
      ps.setLong(7, deletedAt);
      ps.setString(8, leftWith);
      ps.setString(9, userId);
      ps.setString(10, email);
      ps.setString(11, leftWith == null ? null : MatchKey.of(leftWith));
      ps.setString(12, userId);
      ps.setString(13, MatchKey.of(email));
      ps.executeUpdate();
    }
  }

  /** Whether the restored database knows {@code key}: its desired-state row, or a deleted user's tombstone. */
  boolean knows(Connection c, ResourceKey key) throws SQLException {
    return exists(c, "SELECT 1 FROM " + table(key.type()) + " WHERE id = ?", key.scimId())
        || key.type() == EntityType.USER && exists(c, "SELECT 1 FROM user_tombstone WHERE scim_id = ?", key.scimId());
  }

  /** Whether {@code key}'s link here is the replaced database's {@code link}, column for column. */
  boolean hasLink(Connection c, ResourceKey key, Row link) throws SQLException {
    Optional<Row> mine = first(c, "SELECT * FROM link WHERE entity_type = ? AND scim_id = ?", key.type().name(), key.scimId());
    return mine.isPresent() && link.values().entrySet().stream().filter(e -> LINK_COLUMNS.contains(e.getKey()))
        .allMatch(e -> Objects.equals(normalized(e.getValue()), normalized(mine.get().values().get(e.getKey()))));
  }

  boolean linked(Connection c, ResourceKey key) throws SQLException {
    return exists(c, "SELECT 1 FROM link WHERE entity_type = ? AND scim_id = ?", key.type().name(), key.scimId());
  }

  /** The SCIM id other than {@code key}'s linked to {@code fulcrumId}, if any. */
  Optional<String> otherLinkedTo(Connection c, ResourceKey key, String fulcrumId) throws SQLException {
    return strings(c, "SELECT scim_id FROM link WHERE entity_type = ? AND fulcrum_id = ? AND scim_id <> ?",
        key.type().name(), fulcrumId, key.scimId()).stream().findFirst();
  }

  /** Makes the replaced database's {@code link} of {@code key} the key's link here. */
  void putLink(Connection c, ResourceKey key, Row link) throws SQLException {
    unlink(c, key);
    insert(c, "link", link);
  }

  void unlink(Connection c, ResourceKey key) throws SQLException {
    update(c, "DELETE FROM link WHERE entity_type = ? AND scim_id = ?", key.type().name(), key.scimId());
  }

  boolean hasIntent(Connection c, ResourceKey key) throws SQLException {
    return exists(c, "SELECT 1 FROM reconcile_intent WHERE entity_type = ? AND scim_id = ?", key.type().name(), key.scimId());
  }

  void dropIntent(Connection c, ResourceKey key) throws SQLException {
    update(c, "DELETE FROM reconcile_intent WHERE entity_type = ? AND scim_id = ?", key.type().name(), key.scimId());
  }

  /** When {@code key}'s unsettled change arrived (its work row's created_at); empty when its row is settled or absent. */
  Optional<Long> unsettledSince(Connection c, ResourceKey key) throws SQLException {
    try (PreparedStatement ps = prepared(c, "SELECT created_at FROM work WHERE entity_type = ? AND entity_id = ? "
        + "AND state NOT IN ('DONE', 'SKIPPED')", key.type().name(), key.scimId()); ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
    }
  }

  /**
   * Whether {@code key}'s newest journal entry here is {@code newest}, the replaced database's: its
   * work row there then stands for the same change as the one here (not for an older one, when this
   * database ran past that one: marked restored again after a service ran on it).
   */
  boolean newestEntryIs(Connection c, ReplacedStore.Newest newest) throws SQLException {
    Optional<Row> mine = first(c, "SELECT request_id, received_at, op FROM journal WHERE entity_type = ? AND entity_id = ? "
        + "ORDER BY id DESC LIMIT 1", newest.key().type().name(), newest.key().scimId());
    return mine.isPresent() && Objects.equals(mine.get().string("request_id"), newest.requestId())
        && mine.get().number("received_at") == newest.receivedAt() && Objects.equals(mine.get().string("op"), newest.op());
  }

  /** Writes {@code values} (columns of the replaced database's work row) over {@code key}'s work row here; answers whether it has one. */
  boolean updateWork(Connection c, ResourceKey key, Row values) throws SQLException {
    List<String> columns = new ArrayList<>(values.values().keySet());
    try (PreparedStatement ps = c.prepareStatement("UPDATE work SET " + String.join(" = ?, ", columns) + " = ? "
        + "WHERE entity_type = ? AND entity_id = ?")) {
      int i = bind(ps, values);
      ps.setString(i++, key.type().name());
      ps.setString(i, key.scimId());
      return ps.executeUpdate() > 0;
    }
  }

  /**
   * A linked user's removal the restored database has not applied: queued, running when the backup
   * was taken, retrying, held or DEAD. The user's last userName (its row's, else its tombstone's),
   * the linked Fulcrum member, and when the change arrived.
   */
  record UnsettledRemoval(ResourceKey key, String userName, String memberId, String state, long createdAt) {}

  List<UnsettledRemoval> unsettledRemovals(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT w.entity_id, COALESCE(u.user_name, t.user_name, '?'), l.fulcrum_id, "
        + "w.state, w.created_at FROM work w JOIN link l ON l.entity_type = 'USER' AND l.scim_id = w.entity_id "
        + "LEFT JOIN scim_user u ON u.id = w.entity_id LEFT JOIN user_tombstone t ON t.scim_id = w.entity_id "
        + "WHERE w.entity_type = 'USER' AND w.state IN ('PENDING', 'RUNNING', 'RETRYING', 'HELD', 'DEAD') AND w.removal = 1 "
        + "ORDER BY w.entity_id");
        ResultSet rs = ps.executeQuery()) {
      List<UnsettledRemoval> out = new ArrayList<>();
      while (rs.next()) {
        out.add(new UnsettledRemoval(ResourceKey.user(rs.getString(1)), rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getLong(5)));
      }
      return out;
    }
  }

  /**
   * Whether the audit here records the bridge dropping {@code key}'s link to Fulcrum member {@code
   * memberId} at or after {@code since}: an ok REMOVE_MEMBER is written once the member was read
   * gone, an ok UNLINK once the link is dropped (the member removed, found gone, or handed over to
   * another user: the caller tells that one by its link).
   */
  boolean droppedLink(Connection c, ResourceKey key, String memberId, long since) throws SQLException {
    return exists(c, "SELECT 1 FROM reconcile_audit WHERE entity_type = ? AND scim_id = ? AND action IN ('REMOVE_MEMBER', "
        + "'UNLINK') AND fulcrum_id = ? AND result = 'ok' AND at >= ? LIMIT 1", key.type().name(), key.scimId(), memberId,
        since);
  }

  /** Whether an approval here covers user {@code userId}'s change that arrived at {@code since}. */
  boolean approved(Connection c, String userId, long since) throws SQLException {
    return exists(c, "SELECT 1 FROM removal_approval WHERE scim_id = ? AND approved_at >= ?", userId, since);
  }

  /**
   * Approves user {@code userId}'s change that arrived at {@code since} (RemovalGuard compares the
   * two), for Fulcrum member {@code memberId}, the one the approval covers.
   */
  void approve(Connection c, String userId, long since, String memberId) throws SQLException {
    update(c, "INSERT INTO removal_approval (scim_id, approved_at, member_id) VALUES (?, ?, ?) "
        + "ON CONFLICT (scim_id) DO UPDATE SET approved_at = excluded.approved_at, member_id = excluded.member_id", userId,
        since, memberId);
  }

  /** Whether the restored audit holds this row of the replaced one (its id may differ: matched by what it says). */
  boolean hasAudit(Connection c, Row audit) throws SQLException {
    return exists(c, "SELECT 1 FROM reconcile_audit WHERE at = ? AND entity_type = ? AND scim_id = ? AND action = ? "
        + "AND result = ? LIMIT 1", audit.number("at"), audit.string("entity_type"), audit.string("scim_id"),
        audit.string("action"), audit.string("result"));
  }

  /** When the restored database last took a change or recorded a Fulcrum write (epoch ms): about when the backup was taken. */
  long newestWrite(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT max(t) FROM (SELECT max(received_at) AS t FROM journal "
        + "UNION ALL SELECT max(at) FROM reconcile_audit)"); ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Inserts {@code row} into {@code table} as it is. */
  void insert(Connection c, String table, Row row) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + String.join(", ", row.values().keySet())
        + ") VALUES " + Dialect.placeholders(row.values().size()))) {
      bind(ps, row);
      ps.executeUpdate();
    }
  }

  private static String table(EntityType type) {
    return type == EntityType.USER ? "scim_user" : "scim_group";
  }

  /** SQLite hands back a small integer as Integer or Long depending on its size: compared as numbers. */
  private static Object normalized(Object value) {
    return value instanceof Number n ? n.longValue() : value;
  }

  private static int bind(PreparedStatement ps, Row row) throws SQLException {
    int i = 1;
    for (Map.Entry<String, Object> e : row.values().entrySet()) {
      ps.setObject(i++, e.getValue());
    }
    return i;
  }

  private static void update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = prepared(c, sql, params)) {
      ps.executeUpdate();
    }
  }

  private static boolean exists(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = prepared(c, sql, params); ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  private static Optional<Row> first(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = prepared(c, sql, params); ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(Row.of(rs)) : Optional.empty();
    }
  }

  private static List<String> strings(Connection c, String sql, Object... params) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = prepared(c, sql, params); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static PreparedStatement prepared(Connection c, String sql, Object... params) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps;
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
  }
}
