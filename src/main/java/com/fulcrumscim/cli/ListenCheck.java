package com.fulcrumscim.cli;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Binds each address serve listens on, and lets it go at once, before its start opens the database
 * and calls Fulcrum (review-s12b F6): a failed listen came last, after some four Fulcrum calls, and
 * the unit's restart made those again every 5 s. A host that is not an address of this host is a
 * config mistake, exit 2 naming the file; a port in use may pass (the old process exiting), so
 * its line is the start's own, exit 1. A name that does not resolve is left to the start (DNS may
 * come up).
 */
final class ListenCheck {
  private ListenCheck() {}

  /**
   * Throws {@link ConfigException} (its source to be named, {@link ConfigException#in}) for a host
   * not of this host, and for a port in use what {@link ServeCommand#startFailure} reads as Jetty's.
   */
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
    } catch (BindException e) {
      if (String.valueOf(e.getMessage()).contains("assign requested address")) {
        throw new ConfigException("config", "server.host", host + " is not an address of this host (cannot listen on "
            + host + ":" + port + ")");
      }
      // told as Jetty's own failed bind is, so the port's line names its key the same way
      throw new IllegalStateException(ServeCommand.JETTY_BIND_FAILURE + host + ":" + port, e);
    } catch (IOException e) {
      throw new IllegalStateException(ServeCommand.JETTY_BIND_FAILURE + host + ":" + port, e);
    }
  }
}
