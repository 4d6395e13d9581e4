package com.fulcrumscim.scim.schema;

import com.fulcrumscim.journal.UserFields;
import static com.fulcrumscim.scim.schema.AttributeDef.bool;
import static com.fulcrumscim.scim.schema.AttributeDef.complex;
import static com.fulcrumscim.scim.schema.AttributeDef.dateTime;
import static com.fulcrumscim.scim.schema.AttributeDef.reference;
import static com.fulcrumscim.scim.schema.AttributeDef.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.AttributeDef.Mutability;
import com.fulcrumscim.scim.schema.AttributeDef.Returned;
import com.fulcrumscim.scim.schema.AttributeDef.Type;
import com.fulcrumscim.scim.schema.AttributeDef.Uniqueness;
import java.util.List;
import java.util.Optional;

/**
 * The schemas the bridge speaks: URNs, attribute definitions (RFC 7643 §4, §8.7) and their
 * discovery representations for {@code /Schemas} and {@code /ResourceTypes}. Locations in
 * {@code meta.location} are relative to the SCIM base URL ({@code /Schemas/<urn>},
 * {@code /ResourceTypes/User}); the HTTP layer prefixes its base URL.
 */
public final class ScimSchemas {
  public static final String CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
  public static final String ENTERPRISE_USER =
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
  /** The bridge's own extension; carries the Fulcrum role name. */
  public static final String FULCRUM_USER = UserFields.FULCRUM_EXTENSION;
  public static final String CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
  public static final String LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
  public static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
  public static final String ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
  public static final String SERVICE_PROVIDER_CONFIG =
      "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
  public static final String RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
  public static final String SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

  /** Fulcrum's system roles, in the order Fulcrum lists them. */
  public static final List<String> FULCRUM_ROLES =
      List.of("Owner", "Manager", "Standard User", "Record Creator");

  /** RFC 7643 §3.1: part of every resource, not of any schema's representation. */
  public static final List<AttributeDef> COMMON_ATTRIBUTES = List.of(
      string("id").exact().mutability(Mutability.READ_ONLY).returned(Returned.ALWAYS)
          .unique(Uniqueness.SERVER).describe("Unique identifier issued by the bridge.").build(),
      string("externalId").exact().describe("Identifier issued by the provisioning client.").build(),
      complex("meta",
          string("resourceType").exact().mutability(Mutability.READ_ONLY),
          dateTime("created").mutability(Mutability.READ_ONLY),
          dateTime("lastModified").mutability(Mutability.READ_ONLY),
          reference("location", "uri").mutability(Mutability.READ_ONLY),
          string("version").exact().mutability(Mutability.READ_ONLY))
          .mutability(Mutability.READ_ONLY).describe("Resource metadata.").build());

  /**
   * {@code role}, wherever the bridge accepts it; Fulcrum's system role names are suggestions, a
   * custom role name is accepted too.
   */
  private static AttributeDef role(String description) {
    return string("role").canonical(FULCRUM_ROLES.toArray(String[]::new)).describe(description).build();
  }

  public static final SchemaDef CORE_USER_SCHEMA = new SchemaDef(CORE_USER, "User", "User Account",
      List.of(
          string("userName").required().unique(Uniqueness.SERVER)
              .describe("Unique identifier for the user, typically the sign-in name.").build(),
          complex("name",
              string("formatted"), string("familyName"), string("givenName"),
              string("middleName"), string("honorificPrefix"), string("honorificSuffix"))
              .describe("The components of the user's name.").build(),
          string("displayName").describe("The name of the user, suitable for display.").build(),
          string("nickName").build(),
          reference("profileUrl", "external").build(),
          string("title").build(),
          string("userType").build(),
          string("preferredLanguage").build(),
          string("locale").build(),
          string("timezone").build(),
          bool("active").describe("The user's administrative status.").build(),
          string("password").mutability(Mutability.WRITE_ONLY).returned(Returned.NEVER)
              .describe("Accepted and ignored: the bridge never stores or returns it.").build(),
          multiValued("emails", string("value"), "work", "home", "other"),
          multiValued("phoneNumbers", string("value"),
              "work", "home", "mobile", "fax", "pager", "other"),
          multiValued("ims", string("value"),
              "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
          multiValued("photos", reference("value", "external"), "photo", "thumbnail"),
          complex("addresses",
              string("formatted"), string("streetAddress"), string("locality"), string("region"),
              string("postalCode"), string("country"),
              string("type").canonical("work", "home", "other"), bool("primary"))
              .multi().build(),
          complex("groups",
              string("value").exact().mutability(Mutability.READ_ONLY),
              reference("$ref", "User", "Group").mutability(Mutability.READ_ONLY),
              string("display").mutability(Mutability.READ_ONLY),
              string("type").canonical("direct", "indirect").mutability(Mutability.READ_ONLY))
              .multi().mutability(Mutability.READ_ONLY)
              .describe("Groups the user belongs to; maintained by the bridge.").build(),
          multiValued("entitlements", string("value")),
          multiValued("roles", string("value")),
          multiValued("x509Certificates", AttributeDef.of("value", Type.BINARY)),
          // Okta's "core namespace, external name role" option sends a top-level role (okta-scim.md §1.8a).
          role("Fulcrum role name sent in the core namespace (an Okta custom attribute).")));

  public static final SchemaDef ENTERPRISE_USER_SCHEMA = new SchemaDef(ENTERPRISE_USER,
      "EnterpriseUser", "Enterprise User",
      List.of(
          string("employeeNumber").build(),
          string("costCenter").build(),
          string("organization").build(),
          string("division").build(),
          string("department").build(),
          complex("manager",
              string("value"),
              reference("$ref", "User"),
              string("displayName").mutability(Mutability.READ_ONLY))
              .describe("The user's manager.").build(),
          role("Fulcrum role name sent in the enterprise namespace (an Okta or Entra custom attribute).")));

  public static final SchemaDef FULCRUM_USER_SCHEMA = new SchemaDef(FULCRUM_USER, "FulcrumUser",
      "Fulcrum membership settings",
      List.of(
          role("Name of the Fulcrum role to give the member.")));

  public static final SchemaDef CORE_GROUP_SCHEMA = new SchemaDef(CORE_GROUP, "Group", "Group",
      List.of(
          string("displayName").required().unique(Uniqueness.SERVER)
              .describe("A human-readable name for the group.").build(),
          complex("members",
              // Member values are the bridge's ids, which are case-sensitive.
              string("value").exact().mutability(Mutability.IMMUTABLE),
              string("display"),
              reference("$ref", "User", "Group").mutability(Mutability.IMMUTABLE),
              string("type").canonical("User", "Group").mutability(Mutability.IMMUTABLE))
              .multi().describe("A list of members of the group.").build()));

  public static final List<SchemaDef> ALL =
      List.of(CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, FULCRUM_USER_SCHEMA, CORE_GROUP_SCHEMA);

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private ScimSchemas() {}

  /** The schema with this URN in any case. */
  public static Optional<SchemaDef> schema(String urn) {
    return ALL.stream().filter(s -> s.id().equalsIgnoreCase(urn)).findFirst();
  }

  /** RFC 7643 §7 representation of one schema; unknown URN is 404. */
  public static JsonNode schemaRepresentation(String urn) {
    SchemaDef schema = schema(urn)
        .orElseThrow(() -> ScimException.notFound("No schema " + urn));
    ObjectNode out = JSON.objectNode();
    out.putArray("schemas").add(SCHEMA);
    out.put("id", schema.id());
    out.put("name", schema.name());
    out.put("description", schema.description());
    ArrayNode attrs = out.putArray("attributes");
    schema.attributes().forEach(a -> attrs.add(attribute(a)));
    ObjectNode meta = out.putObject("meta");
    meta.put("resourceType", "Schema");
    meta.put("location", "/Schemas/" + schema.id());
    return out;
  }

  /** Every schema's representation, in a stable order. */
  public static List<JsonNode> allSchemas() {
    return ALL.stream().map(s -> schemaRepresentation(s.id())).toList();
  }

  /** RFC 7643 §6 representation of one resource type ("User" or "Group"); unknown is 404. */
  public static JsonNode resourceTypeRepresentation(String name) {
    for (ResourceSchema rs : ResourceSchema.values()) {
      if (rs.resourceType().equalsIgnoreCase(name)) {
        return resourceType(rs);
      }
    }
    throw ScimException.notFound("No resource type " + name);
  }

  /** User (with the enterprise and Fulcrum extensions) and Group. */
  public static List<JsonNode> resourceTypes() {
    return List.of(ResourceSchema.values()).stream().map(ScimSchemas::resourceType).toList();
  }

  private static JsonNode resourceType(ResourceSchema rs) {
    ObjectNode out = JSON.objectNode();
    out.putArray("schemas").add(RESOURCE_TYPE);
    out.put("id", rs.resourceType());
    out.put("name", rs.resourceType());
    out.put("endpoint", rs.endpoint());
    out.put("description", rs.core().description());
    out.put("schema", rs.core().id());
    ArrayNode ext = out.putArray("schemaExtensions");
    for (SchemaDef e : rs.extensions()) {
      ext.addObject().put("schema", e.id()).put("required", false);
    }
    ObjectNode meta = out.putObject("meta");
    meta.put("resourceType", "ResourceType");
    meta.put("location", "/ResourceTypes/" + rs.resourceType());
    return out;
  }

  private static ObjectNode attribute(AttributeDef a) {
    ObjectNode n = JSON.objectNode();
    n.put("name", a.name());
    n.put("type", a.type().wire());
    n.put("multiValued", a.multiValued());
    n.put("description", a.description());
    n.put("required", a.required());
    if (a.isComplex()) {
      ArrayNode subs = n.putArray("subAttributes");
      a.subAttributes().forEach(s -> subs.add(attribute(s)));
    } else {
      n.put("caseExact", a.caseExact());
    }
    if (!a.canonicalValues().isEmpty()) {
      ArrayNode values = n.putArray("canonicalValues");
      a.canonicalValues().forEach(values::add);
    }
    if (a.type() == Type.REFERENCE) {
      ArrayNode refs = n.putArray("referenceTypes");
      a.referenceTypes().forEach(refs::add);
    }
    n.put("mutability", a.mutability().wire());
    n.put("returned", a.returned().wire());
    n.put("uniqueness", a.uniqueness().wire());
    return n;
  }

  /** RFC 7643's usual shape of a multi-valued complex: value, display, type, primary. */
  private static AttributeDef multiValued(String name, AttributeDef.Builder value,
      String... types) {
    return complex(name, value, string("display"), string("type").canonical(types), bool("primary"))
        .multi().build();
  }
}
