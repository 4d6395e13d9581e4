package com.fulcrumscim.testing;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.MatchKey;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Plays Okta at the database: writes desired rows with SQL and enqueues their keys in the same
 * transaction, as the receiver's intake does. For reconciler tests that need no SCIM HTTP.
 */
public final class DesiredFixture implements Okta {
  private final Database db;
  private final WorkQueue queue;
  private final Clock clock;

  public DesiredFixture(Database db, WorkQueue queue, Clock clock) {
    this.db = db;
    this.queue = queue;
    this.clock = clock;
  }

  @Override
  public String user(String email, String given, String family, String role) {
    return userNamed(email, email, given, family, role);
  }

  @Override
  public String userNamed(String userName, String email, String given, String family, String role) {
    String id = UUID.randomUUID().toString();
    write(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO scim_user (id, user_name, user_name_key, active, email, given_name, family_name, role, doc, created_at, "
              + "updated_at, active_since, email_key) VALUES (?, ?, ?, 1, ?, ?, ?, ?, '{}', ?, ?, ?, ?)")) {
        ps.setString(1, id);
        ps.setString(2, userName);
        ps.setString(3, userName.toLowerCase(Locale.ROOT));
        ps.setString(4, email);
        ps.setString(5, given);
        ps.setString(6, family);
        ps.setString(7, role);
        ps.setLong(8, clock.millis());
        ps.setLong(9, clock.millis());
        ps.setLong(10, clock.millis());
        ps.setString(11, emailKey(email));
        ps.executeUpdate();
      }
      queue.enqueue(c, ResourceKey.user(id), false);
    });
    return id;
  }

  /** {@code attribute} is the scim_user column. */
  @Override
  public void set(String userId, String attribute, Object value) {
    write(c -> {
      if (attribute.equals("active")) {
        // as the intake does: when the user lost access and the address it had then, or when it became active again
        try (PreparedStatement ps = c.prepareStatement("UPDATE scim_user SET "
            + "inactive_since = CASE WHEN ? = 1 THEN NULL WHEN active = 1 THEN ? ELSE inactive_since END, "
            + "active_since = CASE WHEN ? = 0 THEN NULL WHEN active = 0 THEN ? ELSE active_since END, "
            + "left_with_email = CASE WHEN ? = 1 THEN NULL WHEN active = 1 THEN email ELSE left_with_email END, "
            + "left_with_key = CASE WHEN ? = 1 THEN NULL WHEN active = 1 THEN ? ELSE left_with_key END WHERE id = ?")) {
          ps.setObject(1, value);
          ps.setLong(2, clock.millis());
          ps.setObject(3, value);
          ps.setLong(4, clock.millis());
          ps.setObject(5, value);
          ps.setObject(6, value);
          ps.setString(7, MatchKey.of(new DesiredState(db).user(c, userId).map(DesiredUser::email).orElse(null)));
          ps.setString(8, userId);
          ps.executeUpdate();
        }
      }
      if (attribute.equals("email")) {
        // as the intake does: a user given another address
        try (PreparedStatement ps = c.prepareStatement("UPDATE scim_user SET email_changed_at = ?, email_key = ? WHERE id = ?")) {
          ps.setLong(1, clock.millis());
          ps.setString(2, emailKey((String) value));
          ps.setString(3, userId);
          ps.executeUpdate();
        }
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE scim_user SET " + attribute + " = ?, updated_at = ? WHERE id = ?")) {
        ps.setObject(1, value);
        ps.setLong(2, clock.millis());
        ps.setString(3, userId);
        ps.executeUpdate();
      }
      // as the intake does: a deactivation goes ahead of other due work
      boolean deactivated = attribute.equals("active") && Integer.valueOf(0).equals(value);
      queue.enqueue(c, ResourceKey.user(userId), deactivated);
      if (attribute.equals("active")) {
        // as the intake does: the user's groups plan only their active members
        for (String group : new DesiredState(db).groupsOf(c, userId)) {
          queue.enqueue(c, ResourceKey.group(group), false);
        }
      }
    });
  }

  @Override
  public void replaceUser(String userId, String email, String given, String family, String role) {
    write(c -> {
      // as the intake does: an active user given another address is no longer the one that became active
      try (PreparedStatement ps = c.prepareStatement("UPDATE scim_user SET user_name = ?, user_name_key = ?, email = ?, "
          + "given_name = ?, family_name = ?, role = ?, updated_at = ?, "
          + "active_since = CASE WHEN lower(COALESCE(email, '')) <> lower(?) THEN NULL ELSE active_since END, "
          + "email_changed_at = CASE WHEN lower(COALESCE(email, '')) <> lower(?) THEN ? ELSE email_changed_at END, "
          + "email_key = ? WHERE id = ?")) {
        ps.setString(1, email);
        ps.setString(2, email.toLowerCase(Locale.ROOT));
        ps.setString(3, email);
        ps.setString(4, given);
        ps.setString(5, family);
        ps.setString(6, role);
        ps.setLong(7, clock.millis());
        ps.setString(8, email);
        ps.setString(9, email);
        ps.setLong(10, clock.millis());
        ps.setString(11, emailKey(email));
        ps.setString(12, userId);
        ps.executeUpdate();
      }
      queue.enqueue(c, ResourceKey.user(userId), false);
    });
  }

  @Override
  public void deleteUser(String userId) {
    write(c -> {
      // as the intake does: the deleted user's last email stays for its removal
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO user_tombstone (scim_id, user_name, email, deleted_at, left_at, "
          + "left_with_email, left_with_key) SELECT id, user_name, email, ?, COALESCE(inactive_since, ?), "
          + "COALESCE(left_with_email, email), COALESCE(left_with_key, ?) FROM scim_user WHERE id = ? AND email IS NOT NULL")) {
        ps.setLong(1, clock.millis());
        ps.setLong(2, clock.millis());
        ps.setString(3, MatchKey.of(new DesiredState(db).user(c, userId).map(DesiredUser::email).orElse(null)));
        ps.setString(4, userId);
        ps.executeUpdate();
      }
      exec(c, "DELETE FROM scim_group_member WHERE user_id = ?", userId);
      exec(c, "DELETE FROM scim_user WHERE id = ?", userId);
      queue.enqueue(c, ResourceKey.user(userId), true);
    });
  }

  @Override
  public String group(String name, List<String> userIds) {
    String id = UUID.randomUUID().toString();
    write(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO scim_group (id, display_name, display_name_key, doc, created_at, updated_at) VALUES (?, ?, ?, '{}', ?, ?)")) {
        ps.setString(1, id);
        ps.setString(2, name);
        ps.setString(3, name.toLowerCase(Locale.ROOT));
        ps.setLong(4, clock.millis());
        ps.setLong(5, clock.millis());
        ps.executeUpdate();
      }
      members(c, id, userIds);
    });
    return id;
  }

  @Override
  public void setGroup(String groupId, String name, List<String> userIds) {
    write(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE scim_group SET display_name = ?, display_name_key = ? WHERE id = ?")) {
        ps.setString(1, name);
        ps.setString(2, name.toLowerCase(Locale.ROOT));
        ps.setString(3, groupId);
        ps.executeUpdate();
      }
      exec(c, "DELETE FROM scim_group_member WHERE group_id = ?", groupId);
      members(c, groupId, userIds);
    });
  }

  @Override
  public void deleteGroup(String groupId) {
    write(c -> {
      exec(c, "DELETE FROM scim_group WHERE id = ?", groupId);
      queue.enqueue(c, ResourceKey.group(groupId), true);
    });
  }

  private void members(Connection c, String groupId, List<String> userIds) throws SQLException {
    for (String userId : userIds) {
      exec(c, "INSERT INTO scim_group_member (group_id, user_id) VALUES (?, ?)", groupId, userId);
    }
    queue.enqueue(c, ResourceKey.group(groupId), false);
  }

  /** As the intake keys a user's email (scim_user.email_key), which its look-ups by email go by. */
  private static String emailKey(String email) {
    return email == null ? null : MatchKey.of(email);
  }

  private static void exec(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }

  private interface Tx {
    void run(Connection c) throws SQLException;
  }

  private void write(Tx tx) {
    db.write(c -> {
      tx.run(c);
      return null;
    });
  }
}
