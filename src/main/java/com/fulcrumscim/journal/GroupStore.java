package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** scim_group and its members in scim_group_member; members are managed users, other ids are left out. */
public final class GroupStore extends ResourceStore {
  private static final String MEMBERS = "members";
  private static final int MAX_LOGGED_IDS = 20;
  private static final Logger log = LoggerFactory.getLogger(GroupStore.class);

  public GroupStore(ObjectMapper json) {
    super(json, EntityType.GROUP, "scim_group", "displayName", "display_name",
        List.of("display_name", "display_name_key", "external_id"), Stamps.NONE, List.of());
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
    // Read FOR SHARE (PostgreSQL): a user deleted on another node meanwhile waits for this write, or is left out here.
    Set<String> unknown = unknownUsers(c, members, true);
    if (!unknown.isEmpty()) {
      warnDropped(id, unknown);
      members.removeAll(unknown);
    }
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

  /**
   * {@code doc} without the members {@code old} does not have and no user has, so a change that
   * only names such ids changes nothing. Only the new ids are looked up: a member {@code old} has
   * and that went meanwhile is left out by the write itself. Looked up without a lock, also in a read
   * (whose transaction is read-only on PostgreSQL): the write's {@link #writeRelated} looks every
   * member up again, locked.
   */
  ObjectNode withoutUnknownMembers(Connection c, StoredResource old, ObjectNode doc) throws SQLException {
    Set<String> unknown = unknownUsers(c, addedMembers(old, doc), false);
    if (unknown.isEmpty()) {
      return doc;
    }
    warnDropped(old.id(), unknown);
    ObjectNode kept = doc.deepCopy();
    ArrayNode members = kept.putArray(MEMBERS);
    for (JsonNode m : doc.path(MEMBERS)) {
      if (!unknown.contains(UserFields.text(m.get("value")))) {
        members.add(m);
      }
    }
    return kept;
  }

  /** The members {@code doc} has and {@code old} has not. */
  Set<String> addedMembers(StoredResource old, ObjectNode doc) {
    Set<String> added = memberIds(doc);
    old.references().forEach(r -> added.remove(r.id()));
    return added;
  }

  /** Whether {@code doc} leaves out a member {@code old} has. */
  boolean removesMembers(StoredResource old, ObjectNode doc) {
    Set<String> kept = memberIds(doc);
    return old.references().stream().anyMatch(r -> !kept.contains(r.id()));
  }

  /**
   * A member id that names no user is left out, not refused: refusing it lost the whole change,
   * and with it the removals Okta sends in the same PATCH (or AIW in the same PUT), so a person
   * taken out of the group kept its access. Ids are the bridge's own, so one it does not know now
   * (a user deleted by Entra or an operator, a database restored to before it) can never become
   * a user later: there is nothing to wait for.
   */
  private static void warnDropped(String groupId, Set<String> unknown) {
    // the ids are the client's text: an id of 64 KB would make the line as long
    String listed = unknown.stream().limit(MAX_LOGGED_IDS)
        .map(id -> TerminalText.escape(TerminalText.cut(id, 64))).collect(Collectors.joining(", "))
        + (unknown.size() > MAX_LOGGED_IDS ? " and " + (unknown.size() - MAX_LOGGED_IDS) + " more" : "");
    log.warn("group {}: left out {} member id(s) that are no user of this bridge: {} (the identity provider's "
        + "link to them is stale; the rest of the change is applied)", TerminalText.escape(groupId), unknown.size(),
        listed);
  }

  /**
   * The ids of the groups {@code userId} is a member of, their rows locked (see
   * {@link Dialect#lockSelected}) one after another in id order: two deletes of users in the same
   * groups lock them in one order, so neither holds one the other waits for while waiting itself.
   */
  List<String> lockGroupsOf(Connection c, String userId) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM scim_group WHERE id IN "
        + "(SELECT group_id FROM scim_group_member WHERE user_id = ?) ORDER BY id" + Dialect.of(c).lockSelected())) {
      ps.setString(1, userId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    return ids;
  }

  /** Those of {@code ids} that no user has; {@code keep}: the users found stay until the commit ({@link Dialect#keepSelected}). */
  private static Set<String> unknownUsers(Connection c, Set<String> ids, boolean keep) throws SQLException {
    Set<String> missing = new LinkedHashSet<>(ids);
    List<String> all = new ArrayList<>(ids);
    for (int from = 0; from < all.size(); from += 500) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id FROM scim_user WHERE id IN " + Dialect.placeholders(chunk.size()) + (keep ? Dialect.of(c).keepSelected() : ""))) {
        bind(ps, 1, new ArrayList<>(chunk));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            missing.remove(rs.getString(1));
          }
        }
      }
    }
    return missing;
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
