package com.fulcrumscim.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * member_address: every address a user's own member had in Fulcrum, as the bridge made, adopted,
 * handed over or changed it (review-s13b F1). A leaver is looked for under the addresses Okta gave
 * it, and one of those may never have reached its member: Fulcrum refused it (taken by a member
 * invited by hand), or the user left before it was applied. A member found under such an address
 * may be the person invited again by hand, or someone else: reported, never adopted nor removed.
 * Only the reconciler writes it; nothing is ever taken out but by a change of Fulcrum target.
 */
public final class MemberAddresses {
  /**
   * The match keys ({@link MatchKey}) of the addresses a user's own member had in Fulcrum. No such
   * record means not known (linked before schema 17, or never linked).
   */
  public record Held(Set<String> keys) {
    public Held {
      keys = Set.copyOf(keys);
    }

    /** Whether {@code email} reached Fulcrum as the address of this user's own member. */
    public boolean reached(String email) {
      return keys.contains(MatchKey.of(email));
    }
  }

  /** User {@code scimId}'s member has {@code email} in Fulcrum, inside the transaction that links it or records the change. */
  public void held(Connection c, String scimId, String email) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO member_address (scim_id, email_key) VALUES (?, ?) ON CONFLICT (scim_id, email_key) DO NOTHING")) {
      ps.setString(1, scimId);
      ps.setString(2, MatchKey.of(email));
      ps.executeUpdate();
    }
  }

  /** User {@code scimId}'s, empty when none is known. */
  public Optional<Held> find(Connection c, String scimId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT scim_id, email_key FROM member_address WHERE scim_id = ?")) {
      ps.setString(1, scimId);
      return Optional.ofNullable(held(ps).get(scimId));
    }
  }

  /** Every user's that has one (resync looks every leaver up). */
  public Map<String, Held> all(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT scim_id, email_key FROM member_address")) {
      return held(ps);
    }
  }

  /** The bridge now writes to another Fulcrum, in which none of these addresses was held. */
  public static void forgetAll(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM member_address");
    }
  }

  private static Map<String, Held> held(PreparedStatement ps) throws SQLException {
    Map<String, Set<String>> keys = new HashMap<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        keys.computeIfAbsent(rs.getString(1), id -> new HashSet<>()).add(rs.getString(2));
      }
    }
    Map<String, Held> out = new HashMap<>();
    keys.forEach((id, k) -> out.put(id, new Held(k)));
    return out;
  }
}
