package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.MatchKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;

/** The link table: which Fulcrum entities the bridge manages, and the questions asked of it. */
public final class LinkStore {
  private final Database db;

  public LinkStore(Database db) {
    this.db = db;
  }

  public Optional<Link> get(EntityType type, String scimId) {
    return db.read(c -> get(c, type, scimId));
  }

  /** As {@link #get(EntityType, String)}, inside the caller's read. */
  public Optional<Link> get(Connection c, EntityType type, String scimId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT scim_id, fulcrum_id, origin, linked_at, okta_role_id FROM link WHERE entity_type = ? AND scim_id = ?")) {
      ps.setString(1, type.name());
      ps.setString(2, scimId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(link(rs)) : Optional.empty();
      }
    }
  }

  /** Every link of {@code type}, oldest first: what the bridge manages (resync's scope). */
  public List<Link> all(EntityType type) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT scim_id, fulcrum_id, origin, linked_at, okta_role_id FROM link WHERE entity_type = ? "
              + "ORDER BY linked_at, scim_id")) {
        ps.setString(1, type.name());
        return links(ps);
      }
    });
  }

  /**
   * The user links whose user Okta does not have active (deactivated, deleted, or no row at all),
   * in {@link #all}'s order: those of resync's scope that its walk over the active users does not reach.
   */
  public List<Link> ofUsersNotActive() {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT l.scim_id, l.fulcrum_id, l.origin, l.linked_at, l.okta_role_id FROM link l LEFT JOIN scim_user u "
              + "ON u.id = l.scim_id WHERE l.entity_type = 'USER' AND (u.id IS NULL OR u.active = 0) "
              + "ORDER BY l.linked_at, l.scim_id")) {
        return links(ps);
      }
    });
  }

  /** The SCIM id managing {@code fulcrumId}, if any. */
  public Optional<String> scimIdOf(EntityType type, String fulcrumId) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT scim_id FROM link WHERE entity_type = ? AND fulcrum_id = ?")) {
        ps.setString(1, type.name());
        ps.setString(2, fulcrumId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  /**
   * The managed SCIM user whose email is {@code email} in any letter's case ({@link MatchKey}, as
   * Fulcrum and the member list compare it), if any: one search of the key's index.
   */
  public Optional<String> managedUserWithEmail(String email) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT l.scim_id FROM scim_user u JOIN link l "
          + "ON l.entity_type = 'USER' AND l.scim_id = u.id WHERE u.email_key = ? LIMIT 1")) {
        ps.setString(1, MatchKey.of(email));
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  /** Whether any entity of {@code type} is linked: one row read by the primary key, not every link's. */
  public boolean any(EntityType type) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM link WHERE entity_type = ? LIMIT 1")) {
        ps.setString(1, type.name());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  public Set<String> fulcrumIds(EntityType type) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT fulcrum_id FROM link WHERE entity_type = ?")) {
        ps.setString(1, type.name());
        return strings(ps);
      }
    });
  }

  /**
   * CROSS JOIN fixes the order: from the group's own rows to their links. Left to choose, SQLite
   * walked every user link and probed the group for each (100k links per group plan).
   */
  static String memberIdsOfGroupQuery(Dialect dialect) {
    return "SELECT l.scim_id, l.fulcrum_id FROM scim_group_member m "
        + dialect.joinInThisOrder() + " link l ON l.entity_type = 'USER' AND l.scim_id = m.user_id WHERE m.group_id = ?";
  }

  /** SCIM user id → membership id, for the linked users listed in group {@code groupId}. */
  public Map<String, String> memberIdsOfGroup(String groupId) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(memberIdsOfGroupQuery(Dialect.of(c)))) {
        ps.setString(1, groupId);
        Map<String, String> out = new HashMap<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), rs.getString(2));
          }
        }
        return out;
      }
    });
  }

  /**
   * Of {@code fulcrumIds} (a group's members in Fulcrum), those linked to users Okta deactivated or
   * deleted whose own removal is under way: their work row is queued or running, and its DELETE takes
   * them out of every group. A leaver whose removal failed (retrying, DEAD), is HELD or was set aside
   * is not among them: nothing else takes that person out of the groups. Asked per group plan, so it
   * reads the group's members' links and rows by index, never every user link in the organization
   * (that made a resync of 100k members and 1,000 groups read 100 million rows).
   */
  public Set<String> leavingAmong(Collection<String> fulcrumIds) {
    return among(fulcrumIds, LinkStore::leavingAmongSql);
  }

  /** Those of {@code fulcrumIds} (member ids) linked to a SCIM user. */
  public Set<String> linkedAmong(Collection<String> fulcrumIds) {
    return among(fulcrumIds, ids -> "SELECT fulcrum_id FROM link WHERE entity_type = 'USER' AND fulcrum_id IN "
        + Dialect.placeholders(ids));
  }

  private Set<String> among(Collection<String> fulcrumIds, IntFunction<String> sql) {
    if (fulcrumIds.isEmpty()) {
      return Set.of();
    }
    List<String> ids = List.copyOf(fulcrumIds);
    return db.read(c -> {
      Set<String> out = new HashSet<>();
      for (int from = 0; from < ids.size(); from += CHUNK) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
        try (PreparedStatement ps = c.prepareStatement(sql.apply(chunk.size()))) {
          for (int i = 0; i < chunk.size(); i++) {
            ps.setString(i + 1, chunk.get(i));
          }
          out.addAll(strings(ps));
        }
      }
      return out;
    });
  }

  /** SQLite allows 32,766 parameters; a chunk keeps statements small and their plans cached. */
  private static final int CHUNK = 200;

  static String leavingAmongSql(int ids) {
    return "SELECT l.fulcrum_id FROM link l LEFT JOIN scim_user u ON u.id = l.scim_id "
        + "JOIN work w ON w.entity_type = 'USER' AND w.entity_id = l.scim_id AND w.state IN ('PENDING', 'RUNNING') "
        + "WHERE l.entity_type = 'USER' AND l.fulcrum_id IN " + Dialect.placeholders(ids) + " "
        + "AND (u.id IS NULL OR u.active = 0)";
  }

  /** Those of {@code userScimIds} whose work row is DONE: nothing would reconcile them again unqueued. */
  public Set<String> settledUsersAmong(Collection<String> userScimIds) {
    return among(userScimIds, ids -> "SELECT entity_id FROM work WHERE entity_type = 'USER' AND state = 'DONE' "
        + "AND entity_id IN " + Dialect.placeholders(ids));
  }

  /**
   * Unlinked users of group {@code groupId} whose push is queued or running: a group's adds wait for
   * them, to be one call. Not one RETRYING: a push that failed may keep failing for its whole retry
   * budget (a day), and the group's other members would wait as long for access. Its create, once it
   * lands, makes the user's groups due again (as any link does), which adds it then.
   */
  public Set<String> pendingMembersOfGroup(String groupId) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT m.user_id FROM scim_group_member m "
              + "JOIN work w ON w.entity_type = 'USER' AND w.entity_id = m.user_id "
              + "  AND w.state IN ('PENDING', 'RUNNING') "
              + "LEFT JOIN link l ON l.entity_type = 'USER' AND l.scim_id = m.user_id "
              + "WHERE m.group_id = ? AND l.scim_id IS NULL")) {
        ps.setString(1, groupId);
        return strings(ps);
      }
    });
  }

  void link(Connection c, EntityType type, String scimId, String fulcrumId, Action.Link.Origin origin, Instant at)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, type.name());
      ps.setString(2, scimId);
      ps.setString(3, fulcrumId);
      ps.setString(4, origin.name());
      ps.setLong(5, at.toEpochMilli());
      ps.executeUpdate();
    }
  }

  /** Records on the user's link the role the bridge holds for Okta ({@link Link#oktaRoleId}; null: none). */
  void rememberRole(Connection c, String scimId, String roleId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE link SET okta_role_id = ? WHERE entity_type = 'USER' AND scim_id = ?")) {
      ps.setString(1, roleId);
      ps.setString(2, scimId);
      ps.executeUpdate();
    }
  }

  void unlink(Connection c, EntityType type, String scimId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM link WHERE entity_type = ? AND scim_id = ?")) {
      ps.setString(1, type.name());
      ps.setString(2, scimId);
      ps.executeUpdate();
    }
  }

  private static List<Link> links(PreparedStatement ps) throws SQLException {
    List<Link> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(link(rs));
      }
    }
    return out;
  }

  private static Link link(ResultSet rs) throws SQLException {
    return new Link(rs.getString(1), rs.getString(2), Action.Link.Origin.valueOf(rs.getString(3)),
        Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5));
  }

  private static Set<String> strings(PreparedStatement ps) throws SQLException {
    Set<String> out = new HashSet<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
