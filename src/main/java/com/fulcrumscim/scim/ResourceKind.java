package com.fulcrumscim.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.GroupStore;
import com.fulcrumscim.journal.ResourceStore;
import com.fulcrumscim.journal.RolePlaces;
import com.fulcrumscim.journal.StoredResource;
import com.fulcrumscim.journal.UserStore;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.scim.schema.ResourceSchema;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * What differs between /Users and /Groups: endpoint, schema, store, how a body is normalized
 * (given the document it replaces, null for a create), and the membership attribute rendered from
 * scim_group_member (a user's {@code groups}, a group's {@code members}).
 */
record ResourceKind(
    String endpoint,
    String resourceType,
    EntityType type,
    ResourceSchema schema,
    ResourceStore store,
    String referenceAttribute,
    String referenceEndpoint,
    BiFunction<JsonNode, ObjectNode, ObjectNode> normalizer,
    boolean patchAnswersWithBody) {

  static ResourceKind users(UserStore store, ResourceNormalizer normalizer) {
    // Entra's validator wants 200 with the user after a PATCH.
    return new ResourceKind("Users", "User", EntityType.USER, ResourceSchema.USER, store, "groups", "Groups",
        (body, previous) -> FulcrumEmail.checked(normalizer.user(body, previous), previous), true);
  }

  static ResourceKind groups(GroupStore store, ResourceNormalizer normalizer) {
    // Entra prefers 204 after a group PATCH; Okta takes either.
    return new ResourceKind("Groups", "Group", EntityType.GROUP, ResourceSchema.GROUP, store, "members", "Users",
        normalizer::group, false);
  }

  /**
   * The resource as a client sees it: schemas and id first, the document (without what it keeps
   * for the bridge alone, {@link RolePlaces#CLEARED}), the membership
   * attribute ({@code members} always, {@code groups} when there are any), then meta unless
   * {@code baseUrl} is null (the form PATCH operations are applied to).
   */
  ObjectNode render(StoredResource r, String baseUrl, boolean withReferences) {
    ObjectNode out = r.doc().objectNode();
    if (r.doc().has("schemas")) {
      out.set("schemas", r.doc().get("schemas"));
    }
    out.put("id", r.id());
    for (Iterator<Map.Entry<String, JsonNode>> it = r.doc().fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!field.getKey().equals("schemas") && !field.getKey().equals(RolePlaces.CLEARED)) {
        out.set(field.getKey(), field.getValue());
      }
    }
    if (withReferences && (type == EntityType.GROUP || !r.references().isEmpty())) {
      ArrayNode refs = out.putArray(referenceAttribute);
      for (StoredResource.Reference ref : r.references()) {
        ObjectNode item = refs.addObject().put("value", ref.id());
        if (baseUrl != null) {
          item.put("$ref", baseUrl + "/" + referenceEndpoint + "/" + ref.id());
        }
        item.put("display", ref.display());
      }
    }
    if (baseUrl != null) {
      out.putObject("meta")
          .put("resourceType", resourceType)
          .put("created", iso(r.created()))
          .put("lastModified", iso(r.lastModified()))
          .put("location", location(baseUrl, r.id()))
          .put("version", ETags.of(r, withReferences));
    }
    return out;
  }

  String location(String baseUrl, String id) {
    return baseUrl + "/" + endpoint + "/" + id;
  }

  private static String iso(Instant t) {
    return t.toString();
  }
}
