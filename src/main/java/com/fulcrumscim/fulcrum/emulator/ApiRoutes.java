package com.fulcrumscim.fulcrum.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code /api/v2/*.json} endpoints of shared/fulcrum-api.md over {@link OrgState}: routing by
 * method and path shape, reading bodies, and answering in Fulcrum's shapes. Authentication, rate
 * limit and faults happen before this, in {@link EmulatorHttpHandler}.
 */
final class ApiRoutes {
  private static final String PREFIX = "/api/v2/";

  private final OrgState org;
  private final JsonViews views;
  private final Settings settings;

  /** What the routes need to know beyond the org: changeable while running. */
  interface Settings {
    boolean autoAddOwnerToCreatedGroups();

    /** A PUT applies email only, answering 200 with the member as it was otherwise (shared/fulcrum-api.md 4: [A]). */
    boolean putAppliesEmailOnly();

    /**
     * A group member change changes nothing yet answers 200 with the group as it is: a Fulcrum that
     * reads another root key than the one sent (shared/fulcrum-api.md 5.3: [D, conflicting]).
     */
    boolean memberChangesIgnored();

    /**
     * A group member change is answered 200 {@code {}}, without the group: as a proxy or WAF in
     * front of Fulcrum answers, or a Fulcrum whose docs promise no body (shared/fulcrum-api.md 5.1).
     */
    default boolean memberChangesAnsweredEmpty() {
      return false;
    }

    /**
     * A member PUT is answered 200 {@code {}}, without the membership: as a proxy or gateway in front
     * of Fulcrum answers, or a Fulcrum whose answer to the assumed role change by PUT differs
     * (shared/fulcrum-api.md 3.5: [A]).
     */
    default boolean putsAnsweredEmpty() {
      return false;
    }

    /** Deleting the token owner's membership deletes its API tokens too (shared/fulcrum-api.md 3.6). */
    void ownerRemoved();

    /** The group is answered without member_ids even with associations=true (undocumented; for tests). */
    default boolean memberIdsLeftOut(String groupId) {
      return false;
    }

    /**
     * Memberships are answered without user_id, listed, read by id and in a write's answer: a shape
     * the client tolerates (3.3 documents the field; for tests of a list that carries no account ids).
     */
    default boolean userIdsLeftOut() {
      return false;
    }

    /** Groups are answered without their description, listed and read by id (5.2 documents it; for tests). */
    default boolean descriptionsLeftOut() {
      return false;
    }

    /** Whether groups are treated as {@code quirk} says, otherwise than the bridge assumes (for tests). */
    default boolean groupQuirk(GroupQuirk quirk) {
      return false;
    }

    /** What a DELETE of this member does instead of removing it plainly; null: it removes it (for tests). */
    default DeleteFault deleteFault(String membershipId) {
      return null;
    }
  }

  /** The matched route: the endpoint as counted ("GET /api/v2/groups/{id}.json") and the path id. */
  record Route(String endpoint, String id) {}

  ApiRoutes(OrgState org, Settings settings) {
    this.org = org;
    this.views = new JsonViews(org, settings::memberIdsLeftOut, settings::descriptionsLeftOut, settings::userIdsLeftOut);
    this.settings = settings;
  }

  /** Names the endpoint with ids replaced by {id}, so the call counter stays small. */
  static Route route(String method, String path) {
    if (!path.startsWith(PREFIX) || !path.endsWith(".json")) {
      return new Route(method + " (unknown path)", null);
    }
    String[] parts = path.substring(PREFIX.length(), path.length() - ".json".length()).split("/", -1);
    if (parts.length == 1) {
      return new Route(method + " " + path, null);
    }
    if (parts.length == 2 && !(parts[0] + "/" + parts[1]).equals("groups/change_permissions")) {
      return new Route(method + " " + PREFIX + parts[0] + "/{id}.json", Request.decode(parts[1]));
    }
    if (parts.length == 2) {
      return new Route(method + " " + path, null);
    }
    return new Route(method + " (unknown path)", null);
  }

  Answer handle(Route route, Request req) {
    try {
      return dispatch(route, req);
    } catch (ApiError e) {
      return e.reply();
    }
  }

  private Answer dispatch(Route route, Request req) {
    String id = route.id();
    return switch (route.endpoint()) {
      case "GET /api/v2/users.json" -> Replies.json(200, views.user(org.member(org.ownerMembershipId())));
      case "GET /api/v2/roles.json" -> Replies.json(200, JsonViews.envelope("roles", org.roles(page(req), perPage(req)), views::role));
      case "GET /api/v2/memberships.json" -> listMembers(req);
      case "GET /api/v2/memberships/{id}.json" -> settings.deleteFault(id) == DeleteFault.UNKNOWN_BY_ID ? Replies.notFound()
          : Replies.json(200, Map.of("membership", views.member(org.member(id), req.flag("managed_info"))));
      case "POST /api/v2/memberships.json" -> createMember(req);
      case "PUT /api/v2/memberships/{id}.json" -> updateMember(id, req);
      case "DELETE /api/v2/memberships/{id}.json" -> deleteMember(id, req);
      case "GET /api/v2/groups.json" -> listGroups(req);
      case "GET /api/v2/groups/{id}.json" -> Replies.json(200, Map.of("group", views.group(org.group(id), req.flag("associations"))));
      case "POST /api/v2/groups.json" -> createGroup(req);
      case "PUT /api/v2/groups/{id}.json" -> updateGroup(id, req);
      case "DELETE /api/v2/groups/{id}.json" -> {
        org.deleteGroup(id);
        yield Replies.noContent();
      }
      case "POST /api/v2/groups/change_permissions.json" -> changeGroup(req);
      default -> Replies.notFound();
    };
  }

  private Answer.Reply listMembers(Request req) {
    boolean managed = req.flag("managed_info");
    return Replies.json(200, JsonViews.envelope("memberships", org.members(page(req), perPage(req)), m -> views.member(m, managed)));
  }

  private Answer.Reply createMember(Request req) {
    JsonNode m = root(req, "membership");
    Member created = org.createMember(text(m, "email"), text(m, "first_name"), text(m, "last_name"), text(m, "role_id"));
    return Replies.json(201, Map.of("membership", views.member(created, true)));
  }

  private Answer.Reply updateMember(String id, Request req) {
    JsonNode m = root(req, "membership");
    Member updated = settings.putAppliesEmailOnly()
        ? org.updateMember(id, text(m, "email"), null, null, null)
        : org.updateMember(id, text(m, "email"), text(m, "first_name"), text(m, "last_name"), text(m, "role_id"));
    return settings.putsAnsweredEmpty() ? Replies.json(200, Map.of())
        : Replies.json(200, Map.of("membership", views.member(updated, true)));
  }

  /** The body is optional here; its {@code reassign_to_membership_id}, if any, must be another member. */
  private Answer deleteMember(String id, Request req) {
    String reassignTo = req.body().length == 0 ? null : text(root(req, "membership"), "reassign_to_membership_id");
    DeleteFault fault = settings.deleteFault(id);
    if (fault == DeleteFault.IGNORED) {
      return Replies.noContent();
    }
    if (fault == DeleteFault.UNKNOWN_BY_ID) {
      return Replies.notFound();
    }
    if (fault == DeleteFault.ANSWER_LOST) {
      if (org.hasMember(id)) {
        remove(id, reassignTo);
      }
      return new Answer.Dropped();
    }
    Member removed = remove(id, reassignTo);
    if (fault == DeleteFault.INVITED_AGAIN) {
      org.createMember(removed.email(), removed.firstName(), removed.lastName(), removed.roleId());
    }
    return Replies.noContent();
  }

  private Member remove(String id, String reassignTo) {
    Member removed = org.deleteMember(id, reassignTo, settings.groupQuirk(GroupQuirk.DELETED_MEMBERS_LISTED));
    if (removed.id().equals(org.ownerMembershipId())) {
      settings.ownerRemoved();
    }
    return removed;
  }

  private Answer.Reply listGroups(Request req) {
    boolean associations = req.flag("associations");
    return Replies.json(200, JsonViews.envelope("groups", org.groups(page(req), perPage(req)), g -> views.group(g, associations)));
  }

  private Answer.Reply createGroup(Request req) {
    JsonNode g = root(req, "group");
    nameFree(null, text(g, "name"));
    Optional<Group> named = settings.groupQuirk(GroupQuirk.CREATE_FINDS_BY_NAME)
        ? org.allGroups().stream().filter(other -> other.name().equals(text(g, "name"))).findFirst() : Optional.empty();
    Group created = named.orElseGet(
        () -> org.createGroup(null, text(g, "name"), text(g, "description"), settings.autoAddOwnerToCreatedGroups()));
    return Replies.json(201, Map.of("group", views.group(created, false)));
  }

  private Answer.Reply updateGroup(String id, Request req) {
    JsonNode g = root(req, "group");
    nameFree(id, text(g, "name"));
    String name = settings.groupQuirk(GroupQuirk.RENAMES_IGNORED) ? null : text(g, "name");
    return Replies.json(200, Map.of("group", views.group(org.updateGroup(id, name, text(g, "description")), false)));
  }

  /** With {@link GroupQuirk#NAMES_UNIQUE}: 422 when a group other than {@code selfId} is named {@code name}. */
  private void nameFree(String selfId, String name) {
    if (settings.groupQuirk(GroupQuirk.NAMES_UNIQUE)
        && org.allGroups().stream().anyMatch(other -> other.name().equals(name) && !other.id().equals(selfId))) {
      throw ApiError.invalid("group", "name", "has already been taken");
    }
  }

  private Answer.Reply changeGroup(Request req) {
    JsonNode c = root(req, "change");
    if (!"group_members".equals(text(c, "type"))) {
      throw ApiError.invalid("change", "type", "is not supported by the emulator (only group_members)");
    }
    String groupId = text(c, "group_id");
    if (groupId == null) {
      throw ApiError.invalid("change", "group_id", "can't be blank");
    }
    if (settings.groupQuirk(GroupQuirk.OWNER_REMOVAL_REFUSED) && ids(c, "remove").contains(org.ownerMembershipId())) {
      throw ApiError.invalid("change", "remove", "the group's creator cannot be removed");
    }
    Group changed = settings.memberChangesIgnored() ? org.group(groupId)
        : org.changeGroupMembers(groupId, ids(c, "add"), ids(c, "remove"));
    return settings.memberChangesAnsweredEmpty() ? Replies.json(200, Map.of())
        : Replies.json(200, Map.of("group", views.group(changed, true)));
  }

  /** The body's root object under {@code key}; 422 with a plain-string error if there is none. */
  private static JsonNode root(Request req, String key) {
    if (req.body().length > 0 && (req.contentType() == null || !req.contentType().startsWith("application/json"))) {
      throw ApiError.unreadable("Content-Type must be application/json");
    }
    JsonNode tree;
    try {
      tree = Json.tree(req.body());
    } catch (JsonProcessingException e) {
      throw ApiError.unreadable("the body is not valid JSON: " + Json.oneLine(e));
    } catch (IOException e) {
      throw ApiError.unreadable("the body cannot be read");
    }
    JsonNode node = tree.get(key);
    if (node == null || !node.isObject()) {
      throw ApiError.unreadable("param is missing or the value is empty: " + key);
    }
    return node;
  }

  /** A field as text; absent or JSON null is null ("leave as it is"). */
  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static List<String> ids(JsonNode node, String field) {
    JsonNode v = node.get(field);
    List<String> ids = new ArrayList<>();
    if (v == null || v.isNull()) {
      return ids;
    }
    if (!v.isArray()) {
      throw ApiError.invalid("change", field, "must be an array of membership ids");
    }
    v.forEach(e -> ids.add(e.isNull() ? null : e.asText()));
    return ids;
  }

  private static int page(Request req) {
    return req.positiveInt("page", 1);
  }

  private static int perPage(Request req) {
    return Math.min(req.positiveInt("per_page", Page.MAX_PER_PAGE), Page.MAX_PER_PAGE);
  }
}
