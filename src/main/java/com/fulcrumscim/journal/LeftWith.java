package com.fulcrumscim.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The address a user had when it lost access (scim_user and user_tombstone's left_with_email and
 * its key) finds the member the person may still hold whatever the identity provider renames the
 * inactive user to. Kept for good, it named whoever was given the freed address later (review-s8e
 * F1: Entra renames a disabled user to free its address; a contractor invited by hand under it
 * months after was adopted and removed as the leaver's, or reported as the leaver's access). So it
 * is released once the leaver's own plan, made after the address was changed away from it, found
 * nothing left under it: the address was empty when it was freed. Until the address changes it is
 * the user's email anyway, and a DEAD, HELD or set-aside leaver keeps it, since its member may
 * still be there (invited again by hand, review-s8b F1).
 */
public final class LeftWith {
  /** Releases user {@code id}'s if its email is another now, inside the caller's transaction. */
  public void release(Connection c, String id) throws SQLException {
    // the user's email_key is the left_with_key's fold; a tombstone keeps no email_key, and lower()
    // folds ASCII only: at worst a deleted user's address unchanged but for a non-ASCII capital is
    // released, and then found by the tombstone's email as before
    try (PreparedStatement ps = c.prepareStatement("UPDATE scim_user SET left_with_email = NULL, left_with_key = NULL "
        + "WHERE id = ? AND active = 0 AND left_with_key IS NOT NULL AND (email_key IS NULL OR email_key <> left_with_key)")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE user_tombstone SET left_with_email = NULL, left_with_key = NULL "
        + "WHERE scim_id = ? AND left_with_key IS NOT NULL AND (email IS NULL OR lower(trim(email)) <> left_with_key)")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }
}
