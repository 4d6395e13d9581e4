package com.fulcrumscim.fulcrum;

import java.time.Duration;

/**
 * Told about every HTTP call that reached (or tried to reach) Fulcrum, for counting and audit.
 * {@code endpoint} is "METHOD /api/v2/path" with ids as {id}; {@code status} is the HTTP status
 * ("200") or, when no answer came, "timeout" or "io_error". Called on the calling thread; keep it
 * cheap and never throw.
 */
@FunctionalInterface
public interface FulcrumCallListener {
  FulcrumCallListener NONE = (endpoint, status, duration) -> {};

  void onCall(String endpoint, String status, Duration duration);
}
