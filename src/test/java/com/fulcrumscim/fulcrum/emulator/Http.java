package com.fulcrumscim.fulcrum.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;

/** A plain JDK HTTP client speaking to the emulator as the Fulcrum client would (no HttpFulcrumClient). */
final class Http {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One answer: status, the raw body and the body as JSON (null when empty). */
  record Resp(int status, String body, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return body.isEmpty() ? null : JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  private final HttpClient client = HttpClient.newHttpClient();
  private final FulcrumEmulator emulator;

  Http(FulcrumEmulator emulator) {
    this.emulator = emulator;
  }

  /** A request with the token and both JSON headers, as the contract says to send. */
  HttpRequest.Builder request(String method, String path, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
            .header("X-ApiToken", emulator.token())
            .header("Accept", "application/json");
    if (body == null) {
      return b.method(method, BodyPublishers.noBody());
    }
    return b.header("Content-Type", "application/json").method(method, BodyPublishers.ofString(body));
  }

  Resp get(String path) {
    return send(request("GET", path, null));
  }

  Resp post(String path, String body) {
    return send(request("POST", path, body));
  }

  Resp put(String path, String body) {
    return send(request("PUT", path, body));
  }

  Resp delete(String path, String body) {
    return send(request("DELETE", path, body));
  }

  Resp send(HttpRequest.Builder request) {
    try {
      return sendOrThrow(request);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** For the tests that expect a dropped connection. */
  Resp sendOrThrow(HttpRequest.Builder request) throws IOException {
    try {
      HttpResponse<String> r = client.send(request.build(), BodyHandlers.ofString());
      return new Resp(r.statusCode(), r.body(), r);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code {"membership":{"email":...,"first_name":...}}}. */
  static String member(String email, String first, String last) {
    return "{\"membership\":{\"email\":\"" + email + "\",\"first_name\":\"" + first + "\",\"last_name\":\"" + last + "\"}}";
  }

  static String change(String groupId, String add, String remove) {
    return "{\"change\":{\"type\":\"group_members\",\"group_id\":\"" + groupId + "\",\"add\":[" + add + "],\"remove\":[" + remove + "]}}";
  }

  static String quoted(String... ids) {
    return String.join(",", java.util.Arrays.stream(ids).map(i -> "\"" + i + "\"").toList());
  }
}
