package com.fulcrumscim.scim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.journal.LinesPerMinute;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty answers some requests itself before any route runs (a malformed request line 400, a URI
 * too long 414, headers too large 431); those answers are SCIM error JSON too, so a client parses
 * every error the same way.
 */
final class JettyErrors extends ErrorHandler {
  private static final Logger log = LoggerFactory.getLogger(JettyErrors.class);
  private static final String USERS = (ScimServer.BASE_PATH + "/Users/").toLowerCase(Locale.ROOT);
  private static final Set<String> CHANGES = Set.of("PUT", "PATCH", "DELETE");
  /** WARN lines a minute for users' changes refused here: anyone can send them, as no route (no authentication) ran. */
  static final int USER_CHANGE_WARNINGS_PER_MINUTE = 20;
  private final ObjectMapper json;
  private final LinesPerMinute userChangeWarnings;

  JettyErrors(ObjectMapper json, Clock clock) {
    this.json = json;
    this.userChangeWarnings = new LinesPerMinute(USER_CHANGE_WARNINGS_PER_MINUTE, clock);
  }

  /** Jetty's default answers only GET, POST and HEAD with a body, leaving a PUT, PATCH or DELETE an empty 400 or 431. */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) throws IOException {
    String detail = detail(code, message);
    warnOfUserChange(request, code, detail);
    byte[] body = json.writeValueAsBytes(ScimJson.errorBody(json, new ScimException(code, null, detail)));
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, ScimJson.MEDIA_TYPE);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /**
   * A user's PUT, PATCH or DELETE refused here may be a deactivation or a deletion the identity
   * provider does not send again: the same WARN as for one the endpoint refuses before its body is
   * read, which only the INFO request line would otherwise show, and here not even that.
   */
  private void warnOfUserChange(Request request, int code, String detail) {
    String path = request.getHttpURI().getPath();
    if (path == null || !CHANGES.contains(request.getMethod()) || !path.toLowerCase(Locale.ROOT).startsWith(USERS)) {
      return;
    }
    switch (userChangeWarnings.take()) {
      case LOG -> ResourceEndpoints.warnRefusedBeforeRead(request.getMethod(), path.substring(USERS.length()),
          "none, refused by Jetty", code, detail);
      case LIMIT_REACHED -> log.warn("more users' changes refused by Jetty in a minute than are logged: the rest of"
          + " this minute's are not");
      case QUIET -> { }
    }
  }

  private static String detail(int code, String message) {
    String what = switch (code) {
      case 400 -> "the request is not valid HTTP";
      case 414 -> "the request URI is too long";
      case 431 -> "the request headers are too large";
      default -> "the server refused the request";
    };
    // Jetty's own reason, never the request's bytes (they may hold a token)
    return message == null || message.isBlank() || message.length() > 200 ? what : what + " (" + message + ")";
  }
}
