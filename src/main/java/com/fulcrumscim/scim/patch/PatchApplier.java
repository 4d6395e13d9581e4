package com.fulcrumscim.scim.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.scim.schema.ResourceSchema;

/**
 * Applies an RFC 7644 §3.5.2 PatchOp request, in every dialect Okta and Entra send, to a resource.
 * The resource should be the one the server renders (with {@code id}), so a path-less value that
 * echoes the current id is recognised. The result is re-normalized; the input is untouched.
 */
public final class PatchApplier {
  private final ResourceNormalizer normalizer;

  public PatchApplier(ResourceNormalizer normalizer) {
    this.normalizer = normalizer;
  }

  public PatchApplier() {
    this(new ResourceNormalizer());
  }

  public PatchResult apply(ObjectNode resource, JsonNode patchRequest, ResourceSchema schema) {
    throw new UnsupportedOperationException("skeleton");
  }
}
