package com.fulcrumscim.fulcrum;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** A 429's {@code Retry-After}: delay-seconds or an HTTP-date; a sane default without one. */
final class RetryAfter {
  /** Fulcrum documents no header; a minute is long enough not to hammer, short enough to recover. */
  static final Duration DEFAULT = Duration.ofSeconds(60);

  private static final Duration MIN = Duration.ofSeconds(1);

  private RetryAfter() {}

  static Duration parse(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return DEFAULT;
    }
    String value = header.strip();
    try {
      return atLeastMin(Duration.ofSeconds(Long.parseLong(value)));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return atLeastMin(Duration.between(now, at));
      } catch (DateTimeParseException notADate) {
        return DEFAULT;
      }
    }
  }

  private static Duration atLeastMin(Duration d) {
    return d.compareTo(MIN) < 0 ? MIN : d;
  }
}
