package com.fulcrumscim.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.scim.schema.ScimSchemas;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;

/** /ServiceProviderConfig, /ResourceTypes and /Schemas (RFC 7644 §4): what this endpoint supports. */
final class DiscoveryEndpoints {
  private final ScimResponses responses;
  private final int maxPageSize;
  private final long maxBodyBytes;

  DiscoveryEndpoints(ScimResponses responses, int maxPageSize, long maxBodyBytes) {
    this.responses = responses;
    this.maxPageSize = maxPageSize;
    this.maxBodyBytes = maxBodyBytes;
  }

  void serviceProviderConfig(Context ctx) throws IOException {
    ObjectNode c = responses.json().createObjectNode();
    c.putArray("schemas").add(ScimSchemas.SERVICE_PROVIDER_CONFIG);
    c.putObject("patch").put("supported", true);
    c.putObject("bulk").put("supported", false).put("maxOperations", 0).put("maxPayloadSize", maxBodyBytes);
    c.putObject("filter").put("supported", true).put("maxResults", maxPageSize);
    c.putObject("changePassword").put("supported", false);
    c.putObject("sort").put("supported", true);
    c.putObject("etag").put("supported", true);
    c.putArray("authenticationSchemes").addObject()
        .put("type", "oauthbearertoken")
        .put("name", "Bearer token")
        .put("description", "Authorization: Bearer <token>; the bridge keeps SHA-256 hashes of its tokens")
        .put("primary", true);
    c.putObject("meta").put("resourceType", "ServiceProviderConfig")
        .put("location", responses.baseUrl(ctx) + "/ServiceProviderConfig");
    responses.send(ctx, 200, c);
  }

  void resourceTypes(Context ctx) throws IOException {
    list(ctx, ScimSchemas.resourceTypes());
  }

  void resourceType(Context ctx) throws IOException {
    responses.send(ctx, 200, located(ctx, ScimSchemas.resourceTypeRepresentation(ctx.pathParam("name"))));
  }

  void schemas(Context ctx) throws IOException {
    list(ctx, ScimSchemas.allSchemas());
  }

  void schema(Context ctx) throws IOException {
    responses.send(ctx, 200, located(ctx, ScimSchemas.schemaRepresentation(ctx.pathParam("urn"))));
  }

  private void list(Context ctx, List<JsonNode> items) throws IOException {
    responses.send(ctx, 200, responses.listResponse(items.size(), 1, items.stream().map(i -> located(ctx, i)).toList()));
  }

  /** The model's meta.location is relative to the SCIM base; clients want it absolute. */
  private JsonNode located(Context ctx, JsonNode representation) {
    ObjectNode copy = (ObjectNode) representation.deepCopy();
    if (copy.get("meta") instanceof ObjectNode meta && meta.path("location").asText("").startsWith("/")) {
      meta.put("location", responses.baseUrl(ctx) + meta.get("location").asText());
    }
    return copy;
  }
}
