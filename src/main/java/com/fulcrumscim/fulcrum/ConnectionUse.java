package com.fulcrumscim.fulcrum;

import java.net.InetSocketAddress;
import java.net.Proxy;
import okhttp3.Call;
import okhttp3.EventListener;

/**
 * Whether one HTTP call went out on a connection taken from the pool rather than one it opened.
 * Carried as the request's tag; {@link #FACTORY} hands each call its own.
 */
final class ConnectionUse extends EventListener {
  static final EventListener.Factory FACTORY = call -> {
    ConnectionUse use = call.request().tag(ConnectionUse.class);
    return use == null ? EventListener.NONE : use;
  };

  private volatile boolean acquired;
  private volatile boolean opened;

  @Override
  public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
    opened = true;
  }

  @Override
  public void connectionAcquired(Call call, okhttp3.Connection connection) {
    acquired = true;
  }

  /** True when the call had a connection and did not open it: one the pool kept since an earlier call. */
  boolean reused() {
    return acquired && !opened;
  }
}
