package com.fulcrumscim.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.scim.schema.ScimSchemas;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DiscoveryTest {
  @RegisterExtension static final ScimTestServer.PerClass server = new ScimTestServer.PerClass();
  static ScimHttp http;

  @BeforeAll
  static void start() {
    http = server.http();
  }

  static List<String> ids(JsonNode list) {
    List<String> ids = new ArrayList<>();
    list.path("Resources").forEach(r -> ids.add(r.path("id").asText()));
    return ids;
  }

  @Test
  void serviceProviderConfigSaysPatchFilterSortAndEtagAreSupported() {
    JsonNode c = http.get("/ServiceProviderConfig").json();
    assertThat(c.path("schemas").get(0).asText()).isEqualTo(ScimSchemas.SERVICE_PROVIDER_CONFIG);
    assertThat(c.path("patch").path("supported").asBoolean()).isTrue();
    assertThat(c.path("filter").path("supported").asBoolean()).isTrue();
    assertThat(c.path("filter").path("maxResults").asInt()).isEqualTo(1000);
    assertThat(c.path("bulk").path("supported").asBoolean()).isFalse();
    assertThat(c.path("etag").path("supported").asBoolean()).isTrue();
    assertThat(c.path("authenticationSchemes").get(0).path("type").asText()).isEqualTo("oauthbearertoken");
  }

  @Test
  void roleIsDescribedInEverySchemaThatAcceptsIt() {
    for (String urn : List.of(ScimSchemas.CORE_USER, ScimSchemas.ENTERPRISE_USER, ScimSchemas.FULCRUM_USER)) {
      List<String> names = new ArrayList<>();
      http.get("/Schemas/" + urn).json().path("attributes").forEach(a -> names.add(a.path("name").asText()));
      assertThat(names).as(urn).contains("role");
    }
  }

  @Test
  void resourceTypesAreUserAndGroup() {
    JsonNode list = http.get("/ResourceTypes").json();
    assertThat(list.path("totalResults").asInt()).isEqualTo(2);
    assertThat(ids(list)).containsExactlyInAnyOrder("User", "Group");
    JsonNode user = http.get("/ResourceTypes/User").json();
    assertThat(user.path("endpoint").asText()).isEqualTo("/Users");
    assertThat(user.path("meta").path("location").asText()).isEqualTo(server.baseUrl() + "/ResourceTypes/User");
  }

  @Test
  void schemasIncludeCoreEnterpriseAndTheBridgesRoleExtension() {
    JsonNode list = http.get("/Schemas").json();
    assertThat(ids(list)).contains(ScimSchemas.CORE_USER, ScimSchemas.ENTERPRISE_USER, ScimSchemas.FULCRUM_USER,
        ScimSchemas.CORE_GROUP);
    Response fulcrum = http.get("/Schemas/" + ScimSchemas.FULCRUM_USER);
    assertThat(fulcrum.status()).isEqualTo(200);
    assertThat(fulcrum.text()).contains("\"role\"");
  }

  @Test
  void anUnknownSchemaIs404WithAScimError() {
    Response r = http.get("/Schemas/urn:nothing:here");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().path("schemas").get(0).asText()).isEqualTo(ScimSchemas.ERROR);
  }
}
