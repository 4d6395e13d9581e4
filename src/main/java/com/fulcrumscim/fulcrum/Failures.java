package com.fulcrumscim.fulcrum;

import com.fulcrumscim.fulcrum.wire.Wire;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Instant;

/** Turns a non-2xx answer or a transport failure into the one {@link FulcrumException} it means. */
final class Failures {
  private final Wire wire;
  private final ApiToken token;

  Failures(Wire wire, ApiToken token) {
    this.wire = wire;
    this.token = token;
  }

  FulcrumException classify(String endpoint, int status, String retryAfter, String body, Instant now) {
    return switch (status) {
      case 401 -> new FulcrumException.Unauthorized(endpoint);
      case 402, 403 -> new FulcrumException.Forbidden(endpoint, status, detail(body));
      // A 404 or 410 means "gone" only in Fulcrum's words: a proxy's or WAF's page in front of it
      // says nothing about the entity, and taken as gone it would end a removal that never happened.
      case 404, 410 -> !fulcrumsBody(wire, body) ? new FulcrumException.Unavailable(endpoint, status
          + " answer is not Fulcrum's (its body is not JSON): something in front of Fulcrum answered", null, true)
          : status == 404 ? new FulcrumException.NotFound(endpoint)
          // the entity existed and no longer does: to a delete or a read that is what 404 means
          : new FulcrumException.NotFound(endpoint, "410 gone");
      case 429 -> new FulcrumException.RateLimited(endpoint, RetryAfter.parse(retryAfter, now));
      case 408 -> new FulcrumException.Unavailable(endpoint, "408 request timeout", null);
      default -> status >= 500
          ? new FulcrumException.Unavailable(endpoint, status + " server error" + suffix(detail(body)), null)
          : new FulcrumException.Rejected(endpoint, status, orStatus(detail(body), status));
    };
  }

  /**
   * Whether {@code body} can be Fulcrum's: empty, or a JSON object or array (decisions 10). A bare
   * JSON scalar counts as not: "404 page not found" parses as the number 404.
   */
  static boolean fulcrumsBody(Wire wire, String body) {
    if (body == null || body.isBlank()) {
      return true;
    }
    try {
      return wire.read(body).isContainerNode();
    } catch (IOException notJson) {
      return false;
    }
  }

  FulcrumException.Unavailable transport(String endpoint, IOException e) {
    return new FulcrumException.Unavailable(endpoint, describe(e), e);
  }

  /** Metric and listener label for a call that got no answer. */
  static String transportStatus(IOException e) {
    return e instanceof InterruptedIOException ? "timeout" : "io_error";
  }

  /**
   * Fulcrum's text, with the token scrubbed should a server ever echo it back, and any other
   * credential it echoes (a proxy's copy of the request's headers, say): the text goes on to audit
   * rows, work rows, status and logs. Masked in the body too, before a copy of it is shortened: a
   * value cut short at the end would no longer be recognised.
   */
  private String detail(String body) {
    return ForeignCredentials.mask(token.redact(ErrorDetail.from(wire, ForeignCredentials.mask(token.redact(body)))));
  }

  private String describe(IOException e) {
    String what = e instanceof InterruptedIOException ? "timed out" : "connection failed";
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return what + " (" + ForeignCredentials.mask(token.redact(message)) + ")";
  }

  private static String suffix(String detail) {
    return detail.isEmpty() ? "" : ": " + detail;
  }

  private static String orStatus(String detail, int status) {
    return detail.isEmpty() ? "HTTP " + status + " without detail" : detail;
  }
}
