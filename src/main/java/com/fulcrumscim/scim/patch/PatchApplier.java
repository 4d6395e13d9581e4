package com.fulcrumscim.scim.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.AttributeDef;
import com.fulcrumscim.scim.schema.JsonFields;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.scim.schema.ResourceSchema;
import com.fulcrumscim.scim.schema.ScimSchemas;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies an RFC 7644 §3.5.2 PatchOp request, in every dialect Okta and Entra send
 * (okta-scim.md §1.4–1.9, §2.3, §4), to a resource. Operations apply in order; the result is
 * re-normalized with the same invariants as a POST body, and {@code changed} says whether any
 * attribute really changed. Throws only {@code ScimException} (400).
 *
 * <p>Pass the resource as the server renders it, with {@code id} (and {@code meta},
 * {@code groups} if it has them): a path-less value that echoes the current id (Okta's rename) is
 * recognised by comparison, and those server-owned attributes are copied into the result as they
 * were. The input is never modified.
 */
public final class PatchApplier {
  /**
   * Entra sends about 36 operations; this bounds the work one request can cause. A group's member
   * removals are not counted: Okta sends one per person taken out (okta-scim.md §1.7), in batches
   * whose size neither its documentation nor ours gives, and a refused request keeps every one of
   * those people in the group (Okta does not send it again). Each costs one lookup of
   * {@link #MAX_EVALUATION_COST}, and the request body limit bounds how many one request holds.
   */
  public static final int MAX_OPERATIONS = 1000;
  /** Comparisons in one value filter ({@code emails[type eq "work" and value eq "x"]} has 2). */
  public static final int MAX_FILTER_TERMS = 10;
  /**
   * Element-times-term evaluations one request may cost, summed over its operations: a filter
   * over a 100,000-member group costs 100,000 per comparison; 200 such ops over 20,000 values
   * would cost 4,000,000 and are refused before they run. A string longer than 64 characters
   * costs more, as it is compared ({@code FilterEvaluator.cost}: a {@code co} of 256 characters
   * over a 64 KiB value costs 16,384), so long values cannot make the bound mean seconds of CPU. A
   * plain {@code value eq} (Okta's per-member removal) and Entra's listed removal are looked up in
   * an index instead: building it costs the array's size once per run of such ops, then each
   * lookup costs 1.
   */
  public static final long MAX_EVALUATION_COST = 1_000_000;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final ResourceNormalizer normalizer;

  public PatchApplier(ResourceNormalizer normalizer) {
    this.normalizer = normalizer;
  }

  public PatchApplier() {
    this(new ResourceNormalizer());
  }

  public PatchResult apply(ObjectNode resource, JsonNode patchRequest, ResourceSchema schema) {
    List<PatchOperation> operations = operations(patchRequest, schema);
    ObjectNode work = withSchemas(resource.deepCopy(), schema);
    ResourceEditor editor = new ResourceEditor(work, schema, normalizer);
    operations.forEach(editor::apply);
    editor.ignored().forEach(name -> normalizer.ignored(schema.resourceType() + " attribute " + name));
    // The limits are for what the request brings: not for values the resource held stored (StoredValues).
    ObjectNode after = normalizer.normalize(work, schema, resource);
    ObjectNode before = normalizer.normalize(withSchemas(resource.deepCopy(), schema), schema, resource);
    return new PatchResult(withServerAttributes(resource, after, schema), !before.equals(after));
  }

  private List<PatchOperation> operations(JsonNode request, ResourceSchema schema) {
    if (request == null || !request.isObject()) {
      throw ScimException.invalidSyntax("The PATCH body must be a JSON object");
    }
    normalizer.limits().check(request);
    JsonNode schemas = JsonFields.single(request, "schemas");
    // Absent, it is read as the PatchOp: the Operations say what is meant, and refused, a hand-made or
    // third-party client's deactivation left the person their access (Okta and Entra always send it).
    boolean patchOp = schemas == null;
    if (schemas != null && schemas.isArray()) {
      for (JsonNode s : schemas) {
        patchOp |= s.isTextual() && s.textValue().equalsIgnoreCase(ScimSchemas.PATCH_OP);
      }
    }
    if (!patchOp) {
      throw ScimException.invalidSyntax("'schemas' must contain " + ScimSchemas.PATCH_OP);
    }
    JsonNode ops = JsonFields.single(request, "Operations");
    if (ops == null || !ops.isArray() || ops.isEmpty()) {
      throw ScimException.invalidSyntax("'Operations' must be a non-empty array");
    }
    List<PatchOperation> out = new ArrayList<>();
    int counted = 0;
    for (int i = 0; i < ops.size(); i++) {
      PatchOperation op = PatchOperation.parse(ops.get(i), i);
      if ((schema != ResourceSchema.GROUP || !op.removesMembers()) && ++counted > MAX_OPERATIONS) {
        throw ScimException.invalidValue("the request holds more than " + MAX_OPERATIONS + " operations, over the limit"
            + " of " + MAX_OPERATIONS + " per request (a group's member removals are not counted)");
      }
      out.add(op);
    }
    return out;
  }

  private static ObjectNode withSchemas(ObjectNode resource, ResourceSchema schema) {
    if (JsonFields.get(resource, "schemas") == null) {
      resource.putArray("schemas").add(schema.core().id());
    }
    return resource;
  }

  /** The normalized attributes plus id, meta and groups exactly as the server gave them. */
  private static ObjectNode withServerAttributes(ObjectNode original, ObjectNode normalized,
      ResourceSchema schema) {
    ObjectNode out = JSON.objectNode();
    out.set("schemas", normalized.get("schemas"));
    if (original.has("id")) {
      out.set("id", original.get("id").deepCopy());
    }
    out.setAll(normalized);
    for (AttributeDef def : schema.topLevelAttributes()) {
      if (def.isReadOnly() && original.has(def.name())) {
        out.set(def.name(), original.get(def.name()).deepCopy());
      }
    }
    return out;
  }
}
