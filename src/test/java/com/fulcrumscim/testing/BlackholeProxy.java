package com.fulcrumscim.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a server that can, on demand, stop forwarding in both directions without
 * closing anything: what a client sees when its server's host vanishes or a failover moves the
 * address (packets dropped, no reset). Connections opened meanwhile are accepted and go silent too.
 */
public final class BlackholeProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final String host;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean blackholed;
  private boolean closed;

  private BlackholeProxy(String host, int port) throws IOException {
    this.host = host;
    this.port = port;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "blackhole-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy to the server of {@code jdbcUrl} (jdbc:postgresql://host:port/...). */
  public static BlackholeProxy toServerOf(String jdbcUrl) {
    URI u = URI.create(jdbcUrl.substring("jdbc:".length()));
    try {
      return new BlackholeProxy(u.getHost(), u.getPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A proxy to the server of {@code url} (http://host:port/..., a Fulcrum emulator's). */
  public static BlackholeProxy toServerAt(String url) {
    return toServerOf("jdbc:" + url);
  }

  /** {@code jdbcUrl} with the server's address replaced by the proxy's. */
  public String in(String jdbcUrl) {
    return "jdbc:" + inUrl(jdbcUrl.substring("jdbc:".length()));
  }

  /** {@code url} (http://host:port/...) with the server's address replaced by the proxy's. */
  public String inUrl(String url) {
    URI u = URI.create(url);
    return u.getScheme() + "://" + listener.getInetAddress().getHostAddress() + ":" + listener.getLocalPort()
        + u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
  }

  /** From now on nothing gets through either way, and nothing is closed. */
  public void blackhole() {
    blackholed = true;
  }

  /** From now on everything gets through again, what was held first: the server was only slow. */
  public void letThrough() {
    blackholed = false;
  }

  /** How many connections the proxy has accepted so far. */
  public int connections() {
    return sockets.size() / 2;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(host, port);
        if (!kept(client, server)) {
          return;
        }
        pump(client, server);
        pump(server, client);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        for (int n; (n = in.read(buf)) >= 0; ) {
          while (blackholed) {
            Thread.sleep(50); // dropped: held forever, never delivered
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // the proxy closed
      }
    }, "blackhole-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Keeps a new connection's sockets to close with the proxy; false, having closed them, when the
   * proxy closed while it was being accepted (it would outlive the close: a test that loses its
   * server found a write getting through).
   */
  private synchronized boolean kept(Socket client, Socket server) {
    if (closed) {
      closeQuietly(client);
      closeQuietly(server);
      return false;
    }
    sockets.add(client);
    sockets.add(server);
    return true;
  }

  @Override
  public synchronized void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
    sockets.forEach(BlackholeProxy::closeQuietly);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
