package com.fulcrumscim.config;

import java.time.Duration;
import java.util.Locale;

/** A duration as a config value writes it ("30s", "24h", "1h30m"), for what operators read: not ISO's "PT30S". */
public final class DurationText {
  private DurationText() {}

  public static String of(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
