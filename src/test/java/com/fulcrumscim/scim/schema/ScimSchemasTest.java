package com.fulcrumscim.scim.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.AttributeDef.Mutability;
import com.fulcrumscim.scim.schema.AttributeDef.Returned;
import com.fulcrumscim.scim.schema.AttributeDef.Type;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class ScimSchemasTest {

  @Test
  void attributePathsResolveWhateverTheCase() {
    assertThat(ResourceSchema.USER.resolve("USERNAME").orElseThrow().path()).isEqualTo("userName");
    assertThat(ResourceSchema.USER.resolve("Name.GivenName").orElseThrow().path())
        .isEqualTo("name.givenName");
    assertThat(ResourceSchema.USER.resolve("emails.Primary").orElseThrow().leaf().type())
        .isEqualTo(Type.BOOLEAN);
  }

  @Test
  void urnQualifiedPathsResolveToTheirExtension() {
    ResolvedAttribute r = ResourceSchema.USER
        .resolve("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value")
        .orElseThrow();
    assertThat(r.extensionUrn()).isEqualTo(ScimSchemas.ENTERPRISE_USER);
    assertThat(r.attribute().name()).isEqualTo("manager");
    assertThat(r.subAttribute().name()).isEqualTo("value");
    assertThat(ResourceSchema.USER
        .resolve("URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:FULCRUM:2.0:USER:ROLE").orElseThrow()
        .path()).isEqualTo(ScimSchemas.FULCRUM_USER + ":role");
  }

  @Test
  void aCoreUrnPrefixNamesATopLevelAttribute() {
    ResolvedAttribute r = ResourceSchema.USER
        .resolve("urn:ietf:params:scim:schemas:core:2.0:User:userName").orElseThrow();
    assertThat(r.inExtension()).isFalse();
    assertThat(r.attribute().name()).isEqualTo("userName");
  }

  @Test
  void unknownPathsDoNotResolve() {
    assertThat(ResourceSchema.USER.resolve("nickname2")).isEmpty();
    assertThat(ResourceSchema.USER.resolve("name.nope")).isEmpty();
    assertThat(ResourceSchema.USER.resolve("urn:example:ext:User:role")).isEmpty();
    assertThat(ResourceSchema.GROUP.resolve("userName")).isEmpty();
    assertThat(ResourceSchema.GROUP.resolve("members.$REF").orElseThrow().leaf().name())
        .isEqualTo("$ref");
  }

  @Test
  void theCharacteristicsFollowRfc7643() {
    AttributeDef id = ResourceSchema.USER.attribute("id").orElseThrow();
    assertThat(id.caseExact()).isTrue();
    assertThat(id.mutability()).isEqualTo(Mutability.READ_ONLY);
    assertThat(ResourceSchema.USER.attribute("userName").orElseThrow().caseExact()).isFalse();
    assertThat(ResourceSchema.USER.attribute("externalId").orElseThrow().caseExact()).isTrue();
    AttributeDef password = ResourceSchema.USER.attribute("password").orElseThrow();
    assertThat(password.mutability()).isEqualTo(Mutability.WRITE_ONLY);
    assertThat(password.returned()).isEqualTo(Returned.NEVER);
    assertThat(ResourceSchema.USER.attribute("groups").orElseThrow().isReadOnly()).isTrue();
    assertThat(ResourceSchema.USER.attribute("meta.created").orElseThrow().type())
        .isEqualTo(Type.DATE_TIME);
    assertThat(ResourceSchema.GROUP.attribute("displayName").orElseThrow().required()).isTrue();
  }

  @Test
  void theFulcrumExtensionAdvertisesTheRoleWithFulcrumsSystemRoles() {
    JsonNode schema = ScimSchemas.schemaRepresentation(ScimSchemas.FULCRUM_USER);
    JsonNode role = schema.get("attributes").get(0);
    assertThat(role.get("name").asText()).isEqualTo("role");
    assertThat(texts(role.get("canonicalValues")))
        .containsExactly("Owner", "Manager", "Standard User", "Record Creator");
  }

  @Test
  void aSchemaRepresentationHasTheRfc7643Shape() {
    JsonNode user = ScimSchemas.schemaRepresentation(ScimSchemas.CORE_USER);
    assertThat(texts(user.get("schemas"))).containsExactly(ScimSchemas.SCHEMA);
    assertThat(user.get("id").asText()).isEqualTo(ScimSchemas.CORE_USER);
    assertThat(user.get("meta").get("resourceType").asText()).isEqualTo("Schema");
    assertThat(user.get("meta").get("location").asText())
        .isEqualTo("/Schemas/" + ScimSchemas.CORE_USER);
    JsonNode emails = attribute(user, "emails");
    assertThat(emails.get("type").asText()).isEqualTo("complex");
    assertThat(emails.get("multiValued").asBoolean()).isTrue();
    assertThat(emails.get("subAttributes")).hasSize(4);
    JsonNode userName = attribute(user, "userName");
    assertThat(userName.get("uniqueness").asText()).isEqualTo("server");
    assertThat(userName.get("caseExact").asBoolean()).isFalse();
    assertThat(userName.get("required").asBoolean()).isTrue();
    assertThat(attribute(user, "password").get("returned").asText()).isEqualTo("never");
    assertThat(attribute(user, "profileUrl").get("referenceTypes").get(0).asText())
        .isEqualTo("external");
  }

  @Test
  void allSchemasAreCoreUserEnterpriseFulcrumAndGroup() {
    assertThat(ScimSchemas.allSchemas()).extracting(s -> s.get("id").asText()).containsExactly(
        ScimSchemas.CORE_USER, ScimSchemas.ENTERPRISE_USER, ScimSchemas.FULCRUM_USER,
        ScimSchemas.CORE_GROUP);
  }

  @Test
  void theUserResourceTypeListsBothExtensions() {
    JsonNode user = ScimSchemas.resourceTypeRepresentation("user");
    assertThat(user.get("endpoint").asText()).isEqualTo("/Users");
    assertThat(user.get("schema").asText()).isEqualTo(ScimSchemas.CORE_USER);
    assertThat(user.get("schemaExtensions")).extracting(e -> e.get("schema").asText())
        .containsExactly(ScimSchemas.ENTERPRISE_USER, ScimSchemas.FULCRUM_USER);
    assertThat(ScimSchemas.resourceTypes()).extracting(t -> t.get("id").asText())
        .containsExactly("User", "Group");
  }

  @Test
  void anUnknownSchemaIs404() {
    assertThatThrownBy(() -> ScimSchemas.schemaRepresentation("urn:nope"))
        .isInstanceOfSatisfying(ScimException.class, e -> assertThat(e.status()).isEqualTo(404));
    assertThatThrownBy(() -> ScimSchemas.resourceTypeRepresentation("Role"))
        .isInstanceOfSatisfying(ScimException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  private static JsonNode attribute(JsonNode schema, String name) {
    return StreamSupport.stream(schema.get("attributes").spliterator(), false)
        .filter(a -> a.get("name").asText().equals(name)).findFirst().orElseThrow();
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
