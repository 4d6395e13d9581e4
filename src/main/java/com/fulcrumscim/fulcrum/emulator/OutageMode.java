package com.fulcrumscim.fulcrum.emulator;

/** How a full outage shows itself to the client. */
public enum OutageMode {
  /** Every call is answered 503. */
  UNAVAILABLE,
  /** Every connection is dropped without a response. */
  DROP
}
