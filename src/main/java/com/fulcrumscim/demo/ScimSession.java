package com.fulcrumscim.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Okta's side of the demo: the SCIM requests Okta sends, over real HTTP with the bearer token. */
final class ScimSession {
  /** One answer; {@code json} is null for an empty body. */
  record Answer(int status, JsonNode json) {
    String id() {
      return json.path("id").asText();
    }
  }

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper mapper = new ObjectMapper();
  private final String baseUrl;
  private final String token;

  ScimSession(String baseUrl, String token) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  Answer createUser(String email, String given, String family, String role) {
    return send("POST", "/Users", """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%1$s",
         "name":{"givenName":"%2$s","familyName":"%3$s"},
         "emails":[{"primary":true,"value":"%1$s","type":"work"}],
         "displayName":"%2$s %3$s","active":true%4$s}
        """.formatted(email, given, family, role == null ? "" : ",\"role\":\"" + role + "\""));
  }

  Answer createGroup(String name, List<String> userIds) {
    String members = userIds.stream().map(id -> "{\"value\":\"" + id + "\"}").collect(Collectors.joining(","));
    return send("POST", "/Groups", """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"%s","members":[%s]}
        """.formatted(name, members));
  }

  /** A PATCH replace of one attribute, as Okta sends a profile change or a deactivation. */
  Answer replace(String userId, String path, String jsonValue) {
    return send("PATCH", "/Users/" + userId, """
        {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
         "Operations":[{"op":"replace","path":"%s","value":%s}]}
        """.formatted(path, jsonValue));
  }

  private Answer send(String method, String path, String body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/scim+json; charset=utf-8")
        .header("Accept", "application/scim+json")
        .method(method, HttpRequest.BodyPublishers.ofString(body))
        .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      String text = response.body();
      return new Answer(response.statusCode(), text == null || text.isBlank() ? null : mapper.readTree(text));
    } catch (IOException e) {
      throw new UncheckedIOException("SCIM " + method + " " + path + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during SCIM " + method + " " + path, e);
    }
  }
}
