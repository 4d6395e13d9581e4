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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** scim_group and its members in scim_group_member; members must be managed users. */
public final class GroupStore extends ResourceStore {
  private static final String MEMBERS = "members";

  public GroupStore(ObjectMapper json) {
    super(json, EntityType.GROUP, "scim_group", "displayName", "display_name",
        List.of("display_name", "display_name_key", "external_id"), Map.of());
  }

  @Override
  Row row(ObjectNode doc) {
    GroupFields f = GroupFields.of(doc);
    return row(doc, storedDoc(doc), f.displayName(),
        Arrays.asList(f.displayName(), key(f.displayName()), f.externalId()), null);
  }

  /** What is kept in the doc column: the document without its members, which live in scim_group_member. */
  private static ObjectNode storedDoc(ObjectNode doc) {
    ObjectNode stored = doc.deepCopy();
    stored.remove(MEMBERS);
    return stored;
  }

  @Override
  boolean differs(StoredResource old, ObjectNode doc) {
    Set<String> oldMembers = old.references().stream().map(Reference::id).collect(Collectors.toSet());
    return !old.doc().equals(storedDoc(doc)) || !oldMembers.equals(memberIds(doc));
  }

  private static Set<String> memberIds(ObjectNode doc) {
    return new LinkedHashSet<>(GroupFields.of(doc).memberIds());
  }

  @Override
  void writeRelated(Connection c, String id, ObjectNode doc) throws SQLException {
    Set<String> members = memberIds(doc);
    requireUsers(c, members);
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM scim_group_member WHERE group_id = ?")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO scim_group_member (group_id, user_id) VALUES (?, ?)")) {
      for (String member : members) {
        ps.setString(1, id);
        ps.setString(2, member);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Okta only pushes members it provisioned; anything else is a client error, not a dangling row. */
  private static void requireUsers(Connection c, Set<String> ids) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    Set<String> missing = new LinkedHashSet<>(ids);
    List<String> all = new ArrayList<>(ids);
    for (int from = 0; from < all.size(); from += 500) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id FROM scim_user WHERE id IN " + Dialect.placeholders(chunk.size()) + Dialect.of(c).keepSelected())) {
        bind(ps, 1, new ArrayList<>(chunk));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            missing.remove(rs.getString(1));
          }
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new IntakeRejected(IntakeRejected.Reason.UNKNOWN_REFERENCE, "members: no user with id " + String.join(", ", missing)
          + " (a member's value must be the id of a user provisioned to this bridge)");
    }
  }

  @Override
  boolean hasReferencesWhenNew() {
    return true;
  }

  @Override
  String referencesQuery() {
    return "SELECT m.group_id, u.id, u.user_name FROM scim_group_member m JOIN scim_user u ON u.id = m.user_id "
        + "WHERE m.group_id IN %s ORDER BY u.id";
  }
}
