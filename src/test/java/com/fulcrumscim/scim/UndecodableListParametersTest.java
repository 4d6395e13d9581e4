package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.testing.RawHttp;
import com.fulcrumscim.testing.ScimTestServer;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A list parameter that is not valid percent-encoding (a raw {@code %}, which a script or an
 * operator may leave unencoded) is refused 400, not read as absent: a lookup whose filter was
 * dropped answered every resource, and Okta links the user or group it looked up to the first.
 */
class UndecodableListParametersTest {
  @RegisterExtension static final ScimTestServer.PerClass server = new ScimTestServer.PerClass();

  @BeforeAll
  static void someUsersAndGroups() {
    for (String name : new String[] {"ada@example.com", "bob@example.com"}) {
      assertThat(server.http().post("/Users", user(name)).status()).isEqualTo(201);
    }
    for (String name : new String[] {"Eng", "Sales"}) {
      assertThat(server.http().post("/Groups", group(name)).status()).isEqualTo(201);
    }
  }

  static JsonNode refused(String target) throws IOException {
    RawHttp.Response r = new RawHttp(server.baseUrl()).send("GET", "/scim/v2" + target,
        Map.of("Authorization", "Bearer " + ScimTestServer.TOKEN), null);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    return new ObjectMapper().readTree(r.body());
  }

  @Test
  void aUserFilterWithARawPercentIs400InvalidFilterNotEveryUser() throws IOException {
    JsonNode error = refused("/Users?filter=userName%20eq%20%22100%of@x%22&count=1");

    assertThat(error.path("scimType").asText()).isEqualTo("invalidFilter");
    assertThat(error.path("detail").asText()).contains("filter is not valid percent-encoding");
  }

  @Test
  void aGroupFilterWithARawPercentIs400InvalidFilterNotEveryGroup() throws IOException {
    JsonNode error = refused("/Groups?filter=displayName%20eq%20%2250%%20Club%22&startIndex=1&count=100");

    assertThat(error.path("scimType").asText()).isEqualTo("invalidFilter");
  }

  @Test
  void aFilterOfABadEscapeAloneIs400() throws IOException {
    assertThat(refused("/Users?filter=%ZZ").path("scimType").asText()).isEqualTo("invalidFilter");
  }

  @Test
  void aBlankFilterIs400InvalidFilterNotEveryUser() throws IOException {
    assertThat(refused("/Users?filter=").path("scimType").asText()).isEqualTo("invalidFilter");
    assertThat(refused("/Groups?filter=%20%20").path("scimType").asText()).isEqualTo("invalidFilter");
  }

  @Test
  void aPagingParameterWithABadEscapeIs400InvalidValue() throws IOException {
    JsonNode error = refused("/Users?count=1%");

    assertThat(error.path("scimType").asText()).isEqualTo("invalidValue");
    assertThat(error.path("detail").asText()).contains("count is not valid percent-encoding");
  }

  @Test
  void aCorrectlyEncodedPercentIsStillALookup() {
    JsonNode found = server.http().get("/Groups?filter=displayName%20eq%20%2250%25%20Club%22").json();

    assertThat(found.path("totalResults").asInt()).isZero();
  }
}
