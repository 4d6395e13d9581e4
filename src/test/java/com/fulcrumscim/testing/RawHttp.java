package com.fulcrumscim.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * HTTP/1.1 written byte by byte on a socket: request targets and bodies no well-behaved client
 * would send (raw {@code ..}, bad percent-escapes, invalid UTF-8, lying headers). One request per
 * connection.
 */
public final class RawHttp {
  /** {@code status} is -1 when the server closed the connection without answering. */
  public record Response(int status, String head, String body) {}

  private final String host;
  private final int port;
  private final InetAddress from;

  /** {@code baseUrl}: http://host:port (any path is ignored). */
  public RawHttp(String baseUrl) {
    this(baseUrl, null);
  }

  /** Connects from {@code from} (e.g. 127.0.0.2: another client address on loopback); null: any. */
  public RawHttp(String baseUrl, InetAddress from) {
    URI uri = URI.create(baseUrl);
    this.host = uri.getHost();
    this.port = uri.getPort();
    this.from = from;
  }

  /** {@code target} goes on the request line as given; Host, Content-Length and Connection: close are added. */
  public Response send(String method, String target, Map<String, String> headers, byte[] body) throws IOException {
    return exchange(method, target, headers, body, true);
  }

  /** As an HTTP/1.0 client that sends no Host header (only {@code headers}): a proxy or a script may. */
  public Response sendWithoutHost(String method, String target, Map<String, String> headers, byte[] body) throws IOException {
    try (Socket socket = new Socket()) {
      connect(socket);
      socket.setSoTimeout(30_000);
      StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.0\r\n");
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      if (body != null) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      return read(socket.getInputStream());
    }
  }

  /** The same without a Content-Length: {@code headers} frame the body (Transfer-Encoding: chunked). */
  public Response sendUnframed(String method, String target, Map<String, String> headers, byte[] body) throws IOException {
    return exchange(method, target, headers, body, false);
  }

  /**
   * Sends the head and then {@code body} one byte every {@code pause}, as a slow-upload attacker
   * does; stops sending when the server answers or closes.
   */
  public Response trickle(String method, String target, Map<String, String> headers, byte[] body, java.time.Duration pause)
      throws IOException {
    try (Socket socket = new Socket()) {
      connect(socket);
      socket.setSoTimeout(60_000);
      StringBuilder head = head(method, target, headers);
      head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      try {
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        for (byte b : body) {
          if (in.available() > 0) {
            break;
          }
          Thread.sleep(pause.toMillis());
          out.write(b);
          out.flush();
        }
      } catch (IOException closedMidBody) {
        // the server gave up on us: its answer (if any) still counts
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return read(in);
    }
  }

  private void connect(Socket socket) throws IOException {
    if (from != null) {
      socket.bind(new InetSocketAddress(from, 0));
    }
    socket.connect(new InetSocketAddress(host, port), 5_000);
  }

  /** Request line, Host, Connection: close and {@code headers}; the caller ends the head. */
  private StringBuilder head(String method, String target, Map<String, String> headers) {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append(':').append(port).append("\r\n").append("Connection: close\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    return head;
  }

  private Response exchange(String method, String target, Map<String, String> headers, byte[] body, boolean contentLength)
      throws IOException {
    try (Socket socket = new Socket()) {
      connect(socket);
      socket.setSoTimeout(30_000);
      StringBuilder head = head(method, target, headers);
      if (body != null && contentLength) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      head.append("\r\n");
      OutputStream out = socket.getOutputStream();
      try {
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
          out.write(body);
        }
        out.flush();
      } catch (IOException refusedMidBody) {
        // A server may answer (413) and close before it read a huge body: its answer still counts.
      }
      return read(socket.getInputStream());
    }
  }

  private static Response read(InputStream in) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) > 0 && bytes.size() < 1 << 20; ) {
        bytes.write(buf, 0, n);
      }
    } catch (IOException resetAfterAnswer) {
      // keep what arrived
    }
    String text = bytes.toString(StandardCharsets.ISO_8859_1);
    if (!text.startsWith("HTTP/1.") || text.length() < 12) {
      return new Response(-1, text, "");
    }
    int end = text.indexOf("\r\n\r\n");
    return new Response(Integer.parseInt(text.substring(9, 12)), end < 0 ? text : text.substring(0, end),
        end < 0 ? "" : text.substring(end + 4));
  }
}
