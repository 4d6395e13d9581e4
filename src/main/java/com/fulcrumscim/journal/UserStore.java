package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.journal.StoredResource.Reference;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** scim_user: one row per managed user; the columns Fulcrum needs are lifted out of the document. */
public final class UserStore extends ResourceStore {
  private static final List<String> COLUMNS =
      List.of("user_name", "user_name_key", "external_id", "active", "email", "email_key", "given_name", "family_name", "role");
  /** Places in {@link #row}'s values of the active flag and the email. */
  private static final int ACTIVE = COLUMNS.indexOf("active");
  private static final int EMAIL = COLUMNS.indexOf("email");
  /**
   * The access times, written with the row ({@link Stamps}). A new user: created inactive, it has
   * been so since now; created active, it has been active with its email since now.
   * A change moves them on the row as it is before it (its old active flag and email), at the
   * version the change is written over (nothing when another writer moved it on): inactive_since is
   * set when the user goes inactive and kept through edits of the inactive user, which is what the
   * same-person window of a hand-over is measured from; active_since is set when it becomes active
   * again, and cleared by a change of an active user's email (its key's: case and spaces aside, as
   * every look-up by email compares, review-s17b F4);
   * email_changed_at is set by any change of the email, active or not (in the very request that
   * reactivates the user, say), so a user given a leaver's address is never taken for that person
   * pushed again. left_with_email and its key ({@link MatchKey}) follow inactive_since: the address
   * the user had when it lost access (the row's before the change that deactivates it), which a
   * member the person still holds has, whatever the inactive user is given later.
   */
  private static final Stamps ACCESS_TIMES = new Stamps(
      List.of("inactive_since", "active_since", "left_with_email", "left_with_key"),
      "inactive_since = CASE WHEN ? = 1 THEN NULL WHEN active = 1 THEN ? ELSE inactive_since END, "
          + "active_since = CASE WHEN ? = 0 THEN NULL WHEN active = 0 THEN ? "
          + "WHEN COALESCE(email_key, '') <> COALESCE(?, '') THEN NULL ELSE active_since END, "
          + "email_changed_at = CASE WHEN COALESCE(email_key, '') <> COALESCE(?, '') THEN ? "
          + "ELSE email_changed_at END, "
          + "left_with_email = CASE WHEN ? = 1 THEN NULL WHEN active = 1 THEN ? ELSE left_with_email END, "
          + "left_with_key = CASE WHEN ? = 1 THEN NULL WHEN active = 1 THEN ? ELSE left_with_key END");

  public UserStore(ObjectMapper json) {
    super(json, EntityType.USER, "scim_user", "userName", "user_name", COLUMNS, ACCESS_TIMES,
        List.of(
            new Sort("emails.value", "email_key", true), // the email folded (schema 18), on its own index
            new Sort("displayName", "doc.displayName", false),
            new Sort("name.givenName", "given_name", false),
            new Sort("name.familyName", "family_name", false),
            new Sort("active", "active", false)));
  }

  @Override
  Row row(ObjectNode doc) {
    UserFields f = UserFields.of(doc);
    List<Object> values = Arrays.asList(f.userName(), key(f.userName()), f.externalId(), f.active() ? 1 : 0, f.email(),
        emailKey(f), f.givenName(), f.familyName(), f.role());
    // the whole document is kept: a user's groups are not part of it
    return row(doc, doc, f.userName(), values, f.active() && f.email() != null ? f.email().strip() : null);
  }

  /** The key (MatchKey) of the user's email, which its look-ups go by; null when it has none. */
  private static String emailKey(UserFields f) {
    return f.email() == null ? null : MatchKey.of(f.email());
  }

  /**
   * Fulcrum compares member emails trimmed and case-insensitively (every letter's case) and refuses
   * a second one: two active users with one email would leave the second DEAD later, so it is a 409
   * now. Inactive users are not members, so deactivating never fails here. One search of the key's
   * index (scim_user.email_key) inside the write. Only a new claim of the key is checked (a create,
   * a reactivation, another email): two active users whose emails differ only in a non-ASCII
   * letter's case were accepted before schema 18, and Okta's later changes of either (a demotion, a
   * rename, a deactivation) must still reach Fulcrum. On PostgreSQL, writes claiming one key take
   * turns: another node's claim, which this check cannot see before it commits, is then seen (the
   * database's unique index of active emails folds ASCII letters only).
   */
  @Override
  void requireUniqueFields(Connection c, Row row, String id, StoredResource old) throws SQLException {
    String key = newClaim(row, old);
    if (key == null) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(ACTIVE_EMAIL_SQL)) {
      ps.setString(1, key);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw new IntakeRejected(IntakeRejected.Reason.NAME_TAKEN, "email '" + row.activeEmail()
              + "' is already the email of active user " + rs.getString(1)
              + " (Fulcrum compares emails case-insensitively)");
        }
      }
    }
  }

  /**
   * Before anything of the write is in an index (review-s17b F3: an update that wrote its row first
   * and a create of the same address each held what the other waited for, a deadlock on PostgreSQL).
   */
  @Override
  void takeTurnsForFields(Connection c, Row row, StoredResource old) throws SQLException {
    String key = newClaim(row, old);
    if (key != null) {
      Dialect.of(c).takeTurns(c, "fulcrum-scim email " + key);
    }
  }

  /** The email key {@code row} claims anew over {@code old} (null for a create); null when none. */
  private static String newClaim(Row row, StoredResource old) {
    if (row.activeEmail() == null) {
      return null;
    }
    String key = MatchKey.of(row.activeEmail());
    return old != null && key.equals(claimed(old)) ? null : key;
  }

  /** The email key {@code old} claimed, as the row held it before this change: null when inactive or without email. */
  private static String claimed(StoredResource old) {
    UserFields f = UserFields.of(old.doc());
    return f.active() && f.email() != null ? MatchKey.of(f.email()) : null;
  }

  /** {@link #requireUniqueFields}'s query: the email's key, then the user's own id. */
  static final String ACTIVE_EMAIL_SQL = "SELECT id FROM scim_user WHERE email_key = ? AND active = 1 AND id <> ? LIMIT 1";

  @Override
  int bindInsertStamps(PreparedStatement ps, int first, Row row, long now) throws SQLException {
    boolean active = active(row);
    String email = (String) row.values().get(EMAIL);
    bindTime(ps, first, active ? null : now);
    bindTime(ps, first + 1, active ? now : null);
    ps.setString(first + 2, active ? null : email);
    ps.setString(first + 3, active || email == null ? null : MatchKey.of(email));
    return first + 4;
  }

  @Override
  int bindUpdateStamps(PreparedStatement ps, int first, StoredResource old, Row row, long now) throws SQLException {
    boolean active = active(row);
    String email = (String) row.values().get(EMAIL);
    // the row's email before this change: what a deactivating change leaves with, had it another
    String before = UserFields.of(old.doc()).email();
    ps.setInt(first, active ? 1 : 0);
    ps.setLong(first + 1, now);
    ps.setInt(first + 2, active ? 1 : 0);
    ps.setLong(first + 3, now);
    String key = email == null ? null : MatchKey.of(email);
    ps.setString(first + 4, key);
    ps.setString(first + 5, key);
    ps.setLong(first + 6, now);
    ps.setInt(first + 7, active ? 1 : 0);
    ps.setString(first + 8, before);
    ps.setInt(first + 9, active ? 1 : 0);
    ps.setString(first + 10, before == null ? null : MatchKey.of(before));
    return first + 11;
  }

  private static boolean active(Row row) {
    return (Integer) row.values().get(ACTIVE) == 1;
  }

  private static void bindTime(PreparedStatement ps, int index, Long at) throws SQLException {
    if (at == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, at);
    }
  }

  @Override
  void writeRelated(Connection c, String id, ObjectNode doc) {
    // a user's groups are read-only: memberships change through the groups
  }

  @Override
  boolean differs(StoredResource old, ObjectNode doc) {
    return !old.doc().equals(doc);
  }

  /** Takes the user out of every group; returns those groups' ids. */
  List<String> leaveGroups(Connection c, String userId) throws SQLException {
    List<String> groups = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "DELETE FROM scim_group_member WHERE user_id = ? RETURNING group_id")) {
      ps.setString(1, userId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          groups.add(rs.getString(1));
        }
      }
    }
    return groups;
  }

  @Override
  boolean hasReferencesWhenNew() {
    return false;
  }

  @Override
  String referencesQuery() {
    return "SELECT m.user_id, g.id, g.display_name FROM scim_group_member m JOIN scim_group g ON g.id = m.group_id "
        + "WHERE m.user_id IN %s ORDER BY g.id";
  }
}
