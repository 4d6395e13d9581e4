package com.fulcrumscim.journal;

import com.fulcrumscim.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Read-only view of what Okta wants (the receiver's tables), for the reconciler and resync. */
public final class DesiredState {
  private static final String USER_COLUMNS = "id, user_name, email, given_name, family_name, role, active, left_with_email, "
      + "CASE WHEN inactive_since = created_at THEN 1 ELSE 0 END AS never_active";

  private final Database db;

  public DesiredState(Database db) {
    this.db = db;
  }

  public Optional<DesiredUser> user(String id) {
    return db.read(c -> user(c, id));
  }

  /** As {@link #user(String)}, inside the caller's read. */
  public Optional<DesiredUser> user(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + USER_COLUMNS + " FROM scim_user WHERE id = ?")) {
      ps.setString(1, id);
      return users(ps).stream().findFirst();
    }
  }

  /**
   * The active users whose email has {@code email}'s key ({@link MatchKey}: every letter's case
   * folded, as the member list matches a member to a user), inside the caller's read: one search of
   * the key's index (scim_user.email_key).
   */
  public List<DesiredUser> activeUsersWithEmail(Connection c, String email) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(ACTIVE_USERS_WITH_EMAIL_SQL)) {
      ps.setString(1, MatchKey.of(email));
      return users(ps);
    }
  }

  /** {@link #activeUsersWithEmail}'s query: the key. */
  static final String ACTIVE_USERS_WITH_EMAIL_SQL = "SELECT " + USER_COLUMNS + " FROM scim_user WHERE email_key = ? AND active = 1";

  /**
   * The users Okta deactivated whose email has {@code email}'s key, or who left with an address of
   * that key (the one they had when they lost access, whatever they were given since), inside the
   * caller's read ({@link MatchKey}: every letter's case folded). Both lookups are index searches.
   */
  public List<DesiredUser> inactiveUsersWithEmail(Connection c, String email) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INACTIVE_USERS_WITH_EMAIL_SQL)) {
      ps.setString(1, MatchKey.of(email));
      ps.setString(2, MatchKey.of(email));
      return users(ps);
    }
  }

  /** {@link #inactiveUsersWithEmail}'s query: the key twice. */
  static final String INACTIVE_USERS_WITH_EMAIL_SQL = "SELECT " + USER_COLUMNS + " FROM scim_user WHERE email_key = ? AND active = 0"
      + " UNION SELECT " + USER_COLUMNS + " FROM scim_user WHERE left_with_key = ? AND active = 0";

  /**
   * The active users Okta pushed with an email of {@code email}'s key ({@link MatchKey}) from
   * {@code from} to {@code to}: created then with it, never given another since
   * (scim_user.email_changed_at), and active since then too (active_since): not one given the
   * address by a change, nor one created long before (a new hire staged inactive with a recycled
   * address), nor one reactivated long after. One search of the key's index: every linked leaver's
   * reconcile asks it ({@link com.fulcrumscim.reconcile.SamePerson}); one pushed again with a letter
   * in another case (zoë@ for ZOË@) is that person too, as the member list sees one address.
   */
  public List<DesiredUser> activeUsersPushedWithEmailBetween(Connection c, String email, Instant from, Instant to)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(ACTIVE_USERS_PUSHED_WITH_EMAIL_BETWEEN_SQL)) {
      ps.setString(1, MatchKey.of(email));
      ps.setLong(2, from.toEpochMilli());
      ps.setLong(3, to.toEpochMilli());
      ps.setLong(4, from.toEpochMilli());
      ps.setLong(5, to.toEpochMilli());
      return users(ps);
    }
  }

  /** {@link #activeUsersPushedWithEmailBetween}'s query: the key, then the window twice. */
  static final String ACTIVE_USERS_PUSHED_WITH_EMAIL_BETWEEN_SQL = "SELECT " + USER_COLUMNS + " FROM scim_user "
      + "WHERE email_key = ? AND active = 1 AND email_changed_at IS NULL AND created_at BETWEEN ? AND ? "
      + "AND active_since BETWEEN ? AND ?";

  /**
   * When user {@code id}, an inactive one, lost access (scim_user.inactive_since: its deactivation,
   * which later edits of the inactive user do not move); empty for an active user, one without a
   * row (deleted), or one whose row does not say (written by other means than the receiver).
   */
  public Optional<Instant> inactiveSince(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT inactive_since FROM scim_user WHERE id = ? AND active = 0 AND inactive_since IS NOT NULL")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(Instant.ofEpochMilli(rs.getLong(1))) : Optional.empty();
      }
    }
  }

  /** Every user, in creation order. */
  public List<DesiredUser> users() {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + USER_COLUMNS + " FROM scim_user ORDER BY seq")) {
        return users(ps);
      }
    });
  }

  /** Users in creation order after {@code afterSeq} ({@link UserPage#lastSeq}), at most {@code limit}, inside the caller's read. */
  public UserPage usersAfter(Connection c, long afterSeq, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + USER_COLUMNS + ", seq FROM scim_user WHERE seq > ? ORDER BY seq LIMIT ?")) {
      ps.setLong(1, afterSeq);
      ps.setInt(2, limit);
      List<DesiredUser> out = new ArrayList<>();
      long last = afterSeq;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(user(rs));
          last = rs.getLong("seq");
        }
      }
      return new UserPage(out, last);
    }
  }

  /**
   * A page of {@link #usersAfter}: walked a page at a time, the users of a large organization need
   * not be held all at once (resync holds 100k of them otherwise). Empty at the end.
   */
  public record UserPage(List<DesiredUser> users, long lastSeq) {
    /** Before the first user. */
    public static final long START = Long.MIN_VALUE;
  }

  /** Every group's display name by id, in creation order: a group's name without its members. */
  public Map<String, String> groupNames() {
    return db.read(c -> {
      Map<String, String> out = new LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, display_name FROM scim_group ORDER BY seq");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
      return out;
    });
  }

  public Optional<DesiredGroup> group(String id) {
    return db.read(c -> group(c, id));
  }

  /** As {@link #group(String)}, inside the caller's read. */
  public Optional<DesiredGroup> group(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT id, display_name FROM scim_group WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(group(c, rs.getString(1), rs.getString(2))) : Optional.empty();
      }
    }
  }

  /** Every group with its members, in creation order. */
  public List<DesiredGroup> groups() {
    return db.read(c -> {
      List<DesiredGroup> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, display_name FROM scim_group ORDER BY seq");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(group(c, rs.getString(1), rs.getString(2)));
        }
      }
      return out;
    });
  }

  /** Every user's and group's key (users first, each in creation order), inside the caller's transaction. */
  public static List<ResourceKey> keys(Connection c) throws SQLException {
    List<ResourceKey> out = new ArrayList<>();
    try (PreparedStatement users = c.prepareStatement("SELECT id FROM scim_user ORDER BY seq");
        ResultSet rs = users.executeQuery()) {
      while (rs.next()) {
        out.add(ResourceKey.user(rs.getString(1)));
      }
    }
    try (PreparedStatement groups = c.prepareStatement("SELECT id FROM scim_group ORDER BY seq");
        ResultSet rs = groups.executeQuery()) {
      while (rs.next()) {
        out.add(ResourceKey.group(rs.getString(1)));
      }
    }
    return out;
  }

  /** Ids of the groups that list {@code userId}. */
  public List<String> groupsOf(Connection c, String userId) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT group_id FROM scim_group_member WHERE user_id = ? ORDER BY group_id")) {
      ps.setString(1, userId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static DesiredGroup group(Connection c, String id, String name) throws SQLException {
    List<DesiredGroup.Member> members = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT m.user_id, u.email, COALESCE(u.active, 0) FROM scim_group_member m "
            + "LEFT JOIN scim_user u ON u.id = m.user_id WHERE m.group_id = ? ORDER BY m.user_id")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          members.add(new DesiredGroup.Member(rs.getString(1), rs.getString(2), rs.getInt(3) == 1));
        }
      }
    }
    return new DesiredGroup(id, name, members);
  }

  private static List<DesiredUser> users(PreparedStatement ps) throws SQLException {
    List<DesiredUser> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(user(rs));
      }
    }
    return out;
  }

  private static DesiredUser user(ResultSet rs) throws SQLException {
    return new DesiredUser(rs.getString("id"), rs.getString("user_name"), rs.getString("email"),
        rs.getString("given_name"), rs.getString("family_name"), rs.getString("role"), rs.getInt("active") == 1,
        rs.getString("left_with_email"), rs.getInt("never_active") == 1);
  }
}
