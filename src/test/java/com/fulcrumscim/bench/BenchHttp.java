package com.fulcrumscim.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A bare keep-alive HTTP/1.1 client, one connection per thread: the benchmark measures the
 * bridge, and java.net.http's own CPU cost would otherwise take a large share of two cores.
 */
final class BenchHttp {
  /** Status and body of one response. */
  record Response(int status, String body) {}

  private final String host;
  private final int port;
  private final String basePath;
  private final String authorization;
  private final ThreadLocal<Connection> connections = ThreadLocal.withInitial(this::connect);

  BenchHttp(String baseUrl, String authorization) {
    URI uri = URI.create(baseUrl);
    this.host = uri.getHost();
    this.port = uri.getPort();
    this.basePath = uri.getPath();
    this.authorization = authorization;
  }

  private record Connection(Socket socket, OutputStream out, BufferedInputStream in) {}

  private Connection connect() {
    try {
      Socket s = new Socket(host, port);
      s.setTcpNoDelay(true);
      return new Connection(s, s.getOutputStream(), new BufferedInputStream(s.getInputStream(), 1 << 16));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Response get(String path) {
    return send("GET", path, null);
  }

  Response post(String path, String json) {
    return send("POST", path, json);
  }

  Response patch(String path, String json) {
    return send("PATCH", path, json);
  }

  private Response send(String method, String path, String body) {
    Connection c = connections.get();
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    String head = method + " " + basePath + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: " + authorization
        + "\r\n" + (body == null ? "" : "Content-Type: application/scim+json\r\nContent-Length: " + bytes.length + "\r\n")
        + "\r\n";
    try {
      c.out().write(head.getBytes(StandardCharsets.US_ASCII));
      c.out().write(bytes);
      c.out().flush();
      int status = Integer.parseInt(line(c).split(" ")[1]);
      int length = 0;
      boolean chunked = false;
      for (String h; !(h = line(c)).isEmpty(); ) {
        if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
          length = Integer.parseInt(h.substring(15).strip());
        } else if (h.regionMatches(true, 0, "transfer-encoding:", 0, 18)) {
          chunked = h.toLowerCase(java.util.Locale.ROOT).contains("chunked");
        }
      }
      return new Response(status, chunked ? chunks(c) : new String(c.in().readNBytes(length), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String chunks(Connection c) throws IOException {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    for (int size; (size = Integer.parseInt(line(c).split(";")[0].strip(), 16)) > 0; ) {
      body.write(c.in().readNBytes(size));
      line(c);
    }
    line(c);
    return body.toString(StandardCharsets.UTF_8);
  }

  private static String line(Connection c) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int ch; (ch = c.in().read()) != '\n'; ) {
      if (ch < 0) {
        throw new EOFException("connection closed mid-response");
      }
      if (ch != '\r') {
        sb.append((char) ch);
      }
    }
    return sb.toString();
  }
}
