package com.fulcrumscim.fulcrum.emulator;

import com.fulcrumscim.fulcrum.emulator.Answer.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The answers Fulcrum gives, in the shapes of shared/fulcrum-api.md "Decisions" 10. */
final class Replies {
  private static final byte[] EMPTY = new byte[0];

  private Replies() {}

  static Reply json(int status, Object body) {
    return new Reply(status, Map.of(), Json.bytes(body));
  }

  /** Not Fulcrum's: a page as a proxy or WAF in front of it answers. */
  static Reply html(int status, String page) {
    return new Reply(status, Map.of("Content-Type", "text/html"), page.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static Reply noContent() {
    return new Reply(204, Map.of(), EMPTY);
  }

  static Reply unauthorized() {
    return json(401, Map.of("error", "Unauthorized"));
  }

  static Reply forbidden() {
    return json(403, Map.of("error", "Forbidden"));
  }

  static Reply notFound() {
    return json(404, Map.of());
  }

  static Reply notAcceptable() {
    return json(406, Map.of("error", "Not Acceptable"));
  }

  /** {@code {"membership":{"errors":{"email":["has already been taken"]}}}}. */
  static Reply invalid(String resource, String field, String message) {
    return json(422, Map.of(resource, Map.of("errors", Map.of(field, List.of(message)))));
  }

  /** 422 with {@code "errors"} as a plain string, as Fulcrum answers unreadable requests. */
  static Reply unreadable(String message) {
    return json(422, Map.of("errors", message));
  }

  static Reply tooManyRequests(Duration retryAfter) {
    long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    return new Reply(429, Map.of("Retry-After", Long.toString(seconds)), Json.bytes(Map.of("error", "Too Many Requests")));
  }

  static Reply serverError(int status) {
    String reason =
        switch (status) {
          case 502 -> "Bad Gateway";
          case 503 -> "Service Unavailable";
          default -> "Internal Server Error";
        };
    return json(status, Map.of("error", reason));
  }
}
