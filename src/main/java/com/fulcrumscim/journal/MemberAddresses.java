package com.fulcrumscim.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * member_address: the address each user's own member had in Fulcrum, as the bridge last made,
 * adopted, handed over or changed it (review-s13b F1). Okta's addresses for a user need not have
 * reached Fulcrum: one Fulcrum refused (422, taken) belongs to another member, whom a look-up under
 * it would take for the person who left. So a user that was linked when Okta took it away is looked
 * for under this address alone ({@code UserState#lookedUpBy}); one whose link ended before its last
 * leave (the user active again since) under Okta's, as a user never linked is. Written by the
 * reconciler with the link; released as the address the user left with is ({@link LeftWith}).
 */
public final class MemberAddresses {
  /** The link ended no earlier than the user's last leave (its deactivation, else its delete): it was linked then. */
  private static final String LINKED_AT_LEAVE = "(m.unlinked_at IS NULL OR m.unlinked_at >= "
      + "COALESCE(u.inactive_since, t.left_at, t.deleted_at, m.unlinked_at + 1))";
  private static final String SELECT = "SELECT m.scim_id, m.email FROM member_address m "
      + "LEFT JOIN scim_user u ON u.id = m.scim_id LEFT JOIN user_tombstone t ON t.scim_id = m.scim_id WHERE ";

  /**
   * The address a user's own member had in Fulcrum when Okta took the user away: {@code email}
   * null once released (nothing is looked for then).
   */
  public record Held(String email) {}

  /** User {@code scimId}'s member has {@code email} now, linked: inside the transaction that links it or writes it. */
  public void linked(Connection c, String scimId, String email) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO member_address (scim_id, email, email_key, unlinked_at) "
        + "VALUES (?, ?, ?, NULL) ON CONFLICT (scim_id) DO UPDATE SET email = excluded.email, email_key = excluded.email_key, "
        + "unlinked_at = NULL")) {
      ps.setString(1, scimId);
      ps.setString(2, email);
      ps.setString(3, MatchKey.of(email));
      ps.executeUpdate();
    }
  }

  /** User {@code scimId}'s link ended {@code at}, inside the transaction that drops it. */
  public void unlinked(Connection c, String scimId, Instant at) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE member_address SET unlinked_at = ? WHERE scim_id = ? AND unlinked_at IS NULL")) {
      ps.setLong(1, at.toEpochMilli());
      ps.setString(2, scimId);
      ps.executeUpdate();
    }
  }

  /** User {@code scimId}'s, if it was linked when it last lost access (or is linked). */
  public Optional<Held> find(Connection c, String scimId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT + "m.scim_id = ? AND " + LINKED_AT_LEAVE)) {
      ps.setString(1, scimId);
      return Optional.ofNullable(held(ps).get(scimId));
    }
  }

  /** As {@link #find}, for every user whose held address has {@code email}'s key ({@link MatchKey}): an index search. */
  public List<String> idsWithEmail(Connection c, String email) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT + "m.email_key = ? AND " + LINKED_AT_LEAVE)) {
      ps.setString(1, MatchKey.of(email));
      return List.copyOf(held(ps).keySet());
    }
  }

  /** As {@link #find}, for every user (resync looks every leaver up). */
  public Map<String, Held> all(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT + LINKED_AT_LEAVE)) {
      return held(ps);
    }
  }

  private static Map<String, Held> held(PreparedStatement ps) throws SQLException {
    Map<String, Held> out = new HashMap<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), new Held(rs.getString(2)));
      }
    }
    return out;
  }
}
