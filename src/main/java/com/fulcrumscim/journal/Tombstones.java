package com.fulcrumscim.journal;

import com.fulcrumscim.db.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * user_tombstone: the last userName and email of a user deleted over SCIM, and the address it had
 * when it lost access (left_with_email: its row's, else its last email). A deactivated user keeps
 * its row, whose email finds a member invited again by hand after its managed member was removed;
 * a deleted one has no row, so its delete leaves this in the same transaction. Kept for good, as a
 * deactivated user's row is: the reconciler looks for that email while it removes the user, and
 * resync after that (a member invited again by hand once the removal was done keeps the access the
 * delete took away). SCIM never reads it.
 */
public final class Tombstones {
  private static final String COLUMNS = "scim_id, user_name, email, left_with_email";

  /**
   * Inside the delete's transaction, before the user's row goes: its left_at is when the user lost
   * access, the row's inactive_since when Okta deactivated it before deleting it (Entra: disabled,
   * deleted for good 30 days later), else now; its left_with_email the address it had then, the
   * row's left_with_email, else its last one. Nothing for a user without an email (no member to
   * look for).
   */
  void keep(Connection c, String id, UserFields user, long now) throws SQLException {
    if (user.email() == null) {
      return;
    }
    // SCIM ids are never issued twice; the upsert only makes a replayed write harmless
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO user_tombstone (scim_id, user_name, email, deleted_at, left_at, "
        + "left_with_email, left_with_key) VALUES (?, ?, ?, ?, COALESCE((SELECT inactive_since FROM scim_user WHERE id = ?), ?), "
        + "COALESCE((SELECT left_with_email FROM scim_user WHERE id = ?), ?), "
        + "COALESCE((SELECT left_with_key FROM scim_user WHERE id = ?), ?)) ON CONFLICT (scim_id) "
        + "DO UPDATE SET user_name = excluded.user_name, email = excluded.email, deleted_at = excluded.deleted_at, "
        + "left_at = excluded.left_at, left_with_email = excluded.left_with_email, left_with_key = excluded.left_with_key")) {
      ps.setString(1, id);
      ps.setString(2, user.userName());
      ps.setString(3, user.email());
      ps.setLong(4, now);
      ps.setString(5, id);
      ps.setLong(6, now);
      ps.setString(7, id);
      ps.setString(8, user.email());
      ps.setString(9, id);
      ps.setString(10, MatchKey.of(user.email()));
      ps.executeUpdate();
    }
  }

  public Optional<DeletedUser> find(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM user_tombstone WHERE scim_id = ?")) {
      ps.setString(1, id);
      return deleted(ps).stream().findFirst();
    }
  }

  /**
   * When user {@code id}, deleted over SCIM, lost access (its deactivation before the delete, else
   * the delete); empty without a tombstone. A tombstone a restore carried without that time (from
   * a release before schema 10) counts from its delete.
   */
  public Optional<Instant> leftAt(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT COALESCE(left_at, deleted_at) FROM user_tombstone WHERE scim_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(Instant.ofEpochMilli(rs.getLong(1))) : Optional.empty();
      }
    }
  }

  /**
   * The deleted users whose last email was {@code email} (ASCII letters case-insensitively), or who
   * left with an address of {@code email}'s key ({@link MatchKey}): index searches (user_tombstone_email,
   * user_tombstone_left_with_key), as every Okta delete adds a tombstone for good.
   */
  public List<DeletedUser> withEmail(Connection c, String email) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(withEmailSql(Dialect.of(c)))) {
      ps.setString(1, email);
      ps.setString(2, MatchKey.of(email));
      return deleted(ps);
    }
  }

  /** {@link #withEmail}'s query: the email, then its key. */
  static String withEmailSql(Dialect dialect) {
    return "SELECT " + COLUMNS + " FROM user_tombstone WHERE " + dialect.equalsIgnoringCase("email")
        + " UNION SELECT " + COLUMNS + " FROM user_tombstone WHERE left_with_key = ? ORDER BY scim_id";
  }

  /** Every deleted user's tombstone (resync looks for a member with each email). */
  public List<DeletedUser> all(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM user_tombstone ORDER BY scim_id")) {
      return deleted(ps);
    }
  }

  private static List<DeletedUser> deleted(PreparedStatement ps) throws SQLException {
    List<DeletedUser> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new DeletedUser(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
      }
    }
    return out;
  }
}
