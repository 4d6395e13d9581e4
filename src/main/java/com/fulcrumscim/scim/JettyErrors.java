package com.fulcrumscim.scim;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty answers some requests itself before any route runs (a malformed request line 400, a URI
 * too long 414, headers too large 431); those answers are SCIM error JSON too, so a client parses
 * every error the same way.
 */
final class JettyErrors extends ErrorHandler {
  private final ObjectMapper json;

  JettyErrors(ObjectMapper json) {
    this.json = json;
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) throws IOException {
    byte[] body = json.writeValueAsBytes(ScimJson.errorBody(json, new ScimException(code, null, detail(code, message))));
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, ScimJson.MEDIA_TYPE);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
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
