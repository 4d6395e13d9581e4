package com.fulcrumscim.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** A SCIM client for tests: JSON in, status/headers/JSON out, as Okta or Entra would send it. */
public final class ScimHttp {
  public static final String SCIM_JSON = "application/scim+json; charset=utf-8";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One response; {@code json} is null when the body is empty or not JSON. */
  public record Response(int status, HttpHeaders headers, String text, JsonNode json) {
    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    /** The resource version its ETag names: W/"n", or W/"n.digest" for one rendering memberships. */
    public long version() {
      String tag = header("ETag");
      String inner = tag.substring(3, tag.length() - 1);
      int dot = inner.indexOf('.');
      return Long.parseLong(dot < 0 ? inner : inner.substring(0, dot));
    }

    @Override
    public String toString() {
      return status + " " + text;
    }
  }

  private final HttpClient client;
  private final String baseUrl;
  private final String authorization;

  public ScimHttp(String baseUrl, String authorization) {
    this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build(),
        baseUrl, authorization);
  }

  private ScimHttp(HttpClient client, String baseUrl, String authorization) {
    this.client = client;
    this.baseUrl = baseUrl;
    this.authorization = authorization;
  }

  /** The same client with another Authorization header value (null: none). */
  public ScimHttp withAuthorization(String value) {
    return new ScimHttp(client, baseUrl, value);
  }

  /** Percent-encodes a query parameter value. */
  /** The SCIM base URL this client sends to. */
  public String baseUrl() {
    return baseUrl;
  }

  public static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  public Response get(String path) {
    return send("GET", path, null, Map.of());
  }

  public Response post(String path, String body) {
    return send("POST", path, body, Map.of());
  }

  public Response put(String path, String body) {
    return send("PUT", path, body, Map.of());
  }

  public Response patch(String path, String body) {
    return send("PATCH", path, body, Map.of());
  }

  public Response delete(String path) {
    return send("DELETE", path, null, Map.of());
  }

  /** {@code headers} may override Content-Type; a body is sent as application/scim+json otherwise. */
  public Response send(String method, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .header("Accept", "application/scim+json");
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (body != null && !headers.containsKey("Content-Type")) {
      b.header("Content-Type", SCIM_JSON);
    }
    headers.forEach(b::header);
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Response(r.statusCode(), r.headers(), r.body(), parse(r.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(text);
    } catch (IOException notJson) {
      return null;
    }
  }
}
