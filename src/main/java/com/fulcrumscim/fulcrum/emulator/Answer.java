package com.fulcrumscim.fulcrum.emulator;

import java.util.Map;

/** What the emulator does with one HTTP call: answer it, or drop the connection without a word. */
sealed interface Answer {

  /** A status, extra headers and a body: JSON (empty for 204), but for a fault standing in for a proxy. */
  record Reply(int status, Map<String, String> headers, byte[] body) implements Answer {}

  /** The connection is closed before any response byte: the client sees an IOException. */
  record Dropped() implements Answer {}

  /** The status the call counter records; a dropped connection counts as {@link CallCounter#DROPPED}. */
  default int status() {
    return this instanceof Reply r ? r.status() : CallCounter.DROPPED;
  }
}
