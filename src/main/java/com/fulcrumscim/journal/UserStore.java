package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.journal.StoredResource.Reference;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** scim_user: one row per managed user; the columns Fulcrum needs are lifted out of the document. */
public final class UserStore extends ResourceStore {
  public UserStore(ObjectMapper json) {
    super(json, EntityType.USER, "scim_user", "userName", "user_name",
        List.of("user_name", "user_name_key", "external_id", "active", "email", "given_name", "family_name", "role"),
        Map.of(
            "displayname", "doc.displayName",
            "name.givenname", "given_name",
            "name.familyname", "family_name",
            "emails.value", "email",
            "active", "active"));
  }

  @Override
  Row row(ObjectNode doc) {
    UserFields f = UserFields.of(doc);
    List<Object> values = Arrays.asList(f.userName(), key(f.userName()), f.externalId(), f.active() ? 1 : 0, f.email(),
        f.givenName(), f.familyName(), f.role());
    // the whole document is kept: a user's groups are not part of it
    return row(doc, doc, f.userName(), values, f.active() && f.email() != null ? f.email().strip() : null);
  }

  /**
   * Fulcrum compares member emails trimmed and case-insensitively and refuses a second one: two
   * active users with one email would leave the second DEAD later, so it is a 409 now. Inactive
   * users are not members, so deactivating never fails here.
   */
  @Override
  void requireUniqueFields(Connection c, Row row, String id) throws SQLException {
    if (row.activeEmail() == null) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT id FROM scim_user WHERE " + Dialect.of(c).equalsIgnoringCase("email") + " AND active = 1 AND id <> ? LIMIT 1")) {
      ps.setString(1, row.activeEmail());
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
