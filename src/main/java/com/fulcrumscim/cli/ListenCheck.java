package com.fulcrumscim.cli;

import com.fulcrumscim.config.BridgeConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Binds each address serve listens on, and lets it go at once, before its start opens the database
 * and calls Fulcrum (review-s12b F6): a failed listen came last, after some four Fulcrum calls, and
 * the unit's restart made those again every 5 s. Each failure is the start's own, exit 1, which the
 * unit tries again: a port in use may pass (the old process exiting), and so may a host that is
 * not an address of this host yet (an IPv6 address still in duplicate detection, a virtual IP that
 * keepalived adds later), where exit 2 stopped the unit for good (review-s12d F1). A name that does
 * not resolve is left to the start (DNS may come up).
 */
final class ListenCheck {
  private ListenCheck() {}

  /** Throws, for an address it cannot listen on, what {@link ServeCommand#startFailure} reads as Jetty's failed bind. */
  static void check(BridgeConfig.Server server) {
    probe(server.host(), server.port());
    if (server.opsPort() != 0) {
      probe(server.host(), server.opsPort());
    }
  }

  private static void probe(String host, int port) {
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true); // as Jetty binds: a port left in TIME_WAIT is free to it
      socket.bind(address);
    } catch (IOException e) {
      // told as Jetty's own failed bind is, so the line names the key the same way
      throw new IllegalStateException(ServeCommand.JETTY_BIND_FAILURE + host + ":" + port, e);
    }
  }
}
