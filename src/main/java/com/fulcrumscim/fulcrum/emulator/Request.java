package com.fulcrumscim.fulcrum.emulator;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** One HTTP request, read whole: method, decoded path, query parameters, the headers used, body. */
record Request(
    String method, String path, Map<String, String> query, String token, String accept, String contentType, byte[] body) {

  static Request read(HttpExchange ex) throws IOException {
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readAllBytes();
    }
    var h = ex.getRequestHeaders();
    return new Request(
        ex.getRequestMethod(),
        ex.getRequestURI().getRawPath(),
        query(ex.getRequestURI().getRawQuery()),
        h.getFirst("X-ApiToken"),
        h.getFirst("Accept"),
        h.getFirst("Content-Type"),
        body);
  }

  /** The first value of each parameter; a key without '=' has the value "". */
  static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
      q.putIfAbsent(k, v);
    }
    return q;
  }

  static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** {@code 1} or {@code true}. */
  boolean flag(String name) {
    String v = query.get(name);
    return "1".equals(v) || "true".equalsIgnoreCase(v);
  }

  /** A positive integer parameter, or {@code fallback} when absent or not a positive number. */
  int positiveInt(String name, int fallback) {
    try {
      int v = Integer.parseInt(query.getOrDefault(name, ""));
      return v > 0 ? v : fallback;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
