package com.fulcrumscim.config;

import java.time.Duration;

/**
 * A duration as a config value writes it ("30s", "24h", "90m"), for what operators read: not ISO's "PT30S", and one
 * unit only, since the config takes one ({@link ConfigLoader}): an operator copying "1h30m" into it got a config error.
 */
public final class DurationText {
  private DurationText() {}

  public static String of(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0";
    }
    // days only from two on: the config's own defaults write a day as "24h"
    if (ms % 86_400_000 == 0 && Math.abs(ms) >= 2 * 86_400_000L) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1_000 == 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }
}
