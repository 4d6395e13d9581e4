package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.scim.schema.ScimSchemas;
import com.fulcrumscim.testing.RawHttp;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What goes on the wire besides the resources: status lines, headers, error bodies, URLs. */
class WireFormatTest {
  static final String PUBLIC_URL = "https://scim.example.com/scim/v2";
  static final Map<String, String> JSON_TYPE = Map.of("Content-Type", "application/scim+json");

  @TempDir Path dir;
  ScimTestServer server;
  ScimHttp http;
  RawHttp raw;

  @BeforeEach
  void start() {
    server = ScimTestServer.start(dir, "server:\n  public_url: " + PUBLIC_URL + "/\n", Clock.systemUTC());
    http = server.http();
    raw = new RawHttp(server.baseUrl());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Map<String, String> auth(Map<String, String> more) {
    Map<String, String> h = new java.util.LinkedHashMap<>(more);
    h.put("Authorization", "Bearer " + ScimTestServer.TOKEN);
    return h;
  }

  @Test
  void aNoContentAnswerCarriesNoContentType() throws Exception {
    String id = http.post("/Users", user("nocontent@example.com")).json().path("id").asText();
    String group = http.post("/Groups", ScimTestServer.Bodies.group("NoContent")).json().path("id").asText();
    RawHttp.Response patched = raw.send("PATCH", "/scim/v2/Groups/" + group, auth(JSON_TYPE),
        patch("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"X\"}").getBytes(StandardCharsets.UTF_8));
    assertThat(patched.status()).isEqualTo(204);
    assertThat(patched.head()).doesNotContainIgnoringCase("Content-Type");
    RawHttp.Response deleted = raw.send("DELETE", "/scim/v2/Users/" + id, auth(Map.of()), null);
    assertThat(deleted.status()).isEqualTo(204);
    assertThat(deleted.head()).doesNotContainIgnoringCase("Content-Type");
  }

  @Test
  void jettysOwnRefusalsAreScimErrors() throws Exception {
    RawHttp.Response badLine = raw.send("GET", "/scim/v2/Users HTTP/9.9 junk", auth(Map.of()), null);
    RawHttp.Response longUri = raw.send("GET", "/scim/v2/Users?filter=" + "a".repeat(70_000), auth(Map.of()), null);
    RawHttp.Response bigHeader = raw.send("GET", "/scim/v2/Users", auth(Map.of("X-Padding", "p".repeat(70_000))), null);
    for (RawHttp.Response r : new RawHttp.Response[] {badLine, longUri, bigHeader}) {
      assertThat(r.status()).as(r.head()).isIn(400, 414, 431);
      assertThat(r.head()).containsIgnoringCase("Content-Type: application/scim+json");
      JsonNode body = new ObjectMapper().readTree(r.body());
      assertThat(body.path("schemas").get(0).asText()).isEqualTo(ScimSchemas.ERROR);
      assertThat(body.path("status").asText()).isEqualTo(Integer.toString(r.status()));
      assertThat(body.path("detail").asText()).isNotBlank();
    }
    assertThat(longUri.status()).isEqualTo(414);
    assertThat(bigHeader.status()).isEqualTo(431);
  }

  @Test
  void locationsUseTheConfiguredPublicUrlNotTheHostHeader() throws Exception {
    RawHttp.Response created = raw.send("POST", "/scim/v2/Users", auth(Map.of("Content-Type", "application/scim+json",
        "X-Forwarded-Host", "evil.example")), user("located@example.com").getBytes(StandardCharsets.UTF_8));
    assertThat(created.status()).isEqualTo(201);
    JsonNode body = new ObjectMapper().readTree(created.body());
    String id = body.path("id").asText();
    assertThat(body.path("meta").path("location").asText()).isEqualTo(PUBLIC_URL + "/Users/" + id);
    assertThat(created.head()).contains("Location: " + PUBLIC_URL + "/Users/" + id);
    assertThat(http.get("/Users/" + id).json().path("meta").path("location").asText())
        .as("the test client reached 127.0.0.1").isEqualTo(PUBLIC_URL + "/Users/" + id);
  }

  @Test
  void aLargeAnswerIsGzippedForAClientThatAcceptsIt() throws Exception {
    for (int i = 0; i < 10; i++) {
      http.post("/Users", user("gzipped-" + i + "@example.com"));
    }
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest.Builder list = HttpRequest.newBuilder(
        URI.create(server.baseUrl() + "/Users")).header("Authorization", "Bearer " + ScimTestServer.TOKEN);
    HttpResponse<byte[]> gzipped = client.send(list.copy().header("Accept-Encoding", "gzip").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> plain = client.send(list.build(), HttpResponse.BodyHandlers.ofByteArray());

    assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(gzipped.headers().firstValue("Content-Type")).hasValue(ScimHttp.SCIM_JSON);
    byte[] inflated = new GZIPInputStream(new ByteArrayInputStream(gzipped.body())).readAllBytes();
    assertThat(gzipped.body().length).isLessThan(inflated.length / 2);
    assertThat(new ObjectMapper().readTree(inflated).path("totalResults").asInt()).isEqualTo(10);
    assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(new ObjectMapper().readTree(plain.body())).isEqualTo(new ObjectMapper().readTree(inflated));
  }
}
