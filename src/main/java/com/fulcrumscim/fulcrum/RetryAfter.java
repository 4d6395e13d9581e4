package com.fulcrumscim.fulcrum;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A 429's {@code Retry-After}: delay-seconds or an HTTP-date; a sane default without one. */
final class RetryAfter {
  /** Fulcrum documents no header; a minute is long enough not to hammer, short enough to recover. */
  static final Duration DEFAULT = Duration.ofSeconds(60);

  private static final Duration MIN = Duration.ofSeconds(1);

  /**
   * Fulcrum's limit is per hour: no 429 needs a longer wait. A longer value (a bug, a proxy's
   * guess, a year) would stop all Fulcrum work for that long, shown only as RETRYING.
   */
  static final Duration MAX = Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(RetryAfter.class);

  /** Delay-seconds; a sign is not RFC 9110's, but its meaning is plain (a negative delay: at once). */
  private static final Pattern SECONDS = Pattern.compile("[+-]?[0-9]+");

  /** RFC 9110's obsolete asctime format, always GMT: {@code Thu Jan  1 00:02:00 2026}. */
  private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss uuuu", Locale.US);

  private RetryAfter() {}

  static Duration parse(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return DEFAULT;
    }
    String value = header.strip();
    if (SECONDS.matcher(value).matches()) {
      Duration asked;
      try {
        asked = Duration.ofSeconds(Long.parseLong(value));
      } catch (NumberFormatException tooLongForALong) {
        // still a number of seconds: far beyond MAX, or (signed) far in the past
        asked = value.startsWith("-") ? Duration.ZERO : null;
      }
      return bounded(asked);
    }
    try {
      return bounded(Duration.between(now, httpDate(value, now)));
    } catch (DateTimeParseException notADate) {
      return DEFAULT;
    }
  }

  /** Between MIN and MAX; {@code asked} null is beyond any Duration. */
  private static Duration bounded(Duration asked) {
    if (asked == null || asked.compareTo(MAX) > 0) {
      log.warn("Fulcrum asked to wait {} before the next call (Retry-After), longer than its hourly limit window;"
          + " waiting {} s instead", asked == null ? "beyond any time" : asked.toSeconds() + " s", MAX.toSeconds());
      return MAX;
    }
    return atLeastMin(asked);
  }

  /** RFC 9110 §5.6.7: recipients accept all three formats, told apart by the day name's comma. */
  private static Instant httpDate(String value, Instant now) {
    int comma = value.indexOf(',');
    if (comma < 0) {
      return LocalDateTime.parse(value, ASCTIME).toInstant(ZoneOffset.UTC);
    }
    // IMF-fixdate's day name is three letters (Thu, 01 Jan 2026 00:02:00 GMT); RFC 850's is whole
    return comma == 3
        ? ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()
        : rfc850(value.substring(comma + 1).strip(), now);
  }

  /**
   * RFC 850 after its day name: {@code 01-Jan-26 00:02:00 GMT}. The two-digit year is the latest
   * one with those digits not more than 50 years ahead (RFC 9110). The day name is not checked
   * against the date: which century the date is in is only settled here.
   */
  private static Instant rfc850(String afterDayName, Instant now) {
    LocalDateTime limit = LocalDateTime.ofInstant(now, ZoneOffset.UTC).plusYears(50);
    DateTimeFormatter format = new DateTimeFormatterBuilder()
        .appendPattern("dd-MMM-")
        .appendValueReduced(ChronoField.YEAR, 2, 2, limit.getYear() - 99)
        .appendPattern(" HH:mm:ss 'GMT'")
        .toFormatter(Locale.US);
    LocalDateTime at = LocalDateTime.parse(afterDayName, format);
    return (at.isAfter(limit) ? at.minusYears(100) : at).toInstant(ZoneOffset.UTC);
  }

  private static Duration atLeastMin(Duration d) {
    return d.compareTo(MIN) < 0 ? MIN : d;
  }
}
