package com.fulcrumscim.fulcrum;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Retry-After as RFC 9110 §5.6.7 has recipients read it: the two obsolete HTTP-date formats
 * (IMF-fixdate is in HttpFulcrumClientFailureTest). */
class RetryAfterTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void anRfc850DateIsRead() {
    assertThat(RetryAfter.parse("Thursday, 01-Jan-26 00:02:00 GMT", NOW)).isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void anAsctimeDateIsRead() {
    assertThat(RetryAfter.parse("Thu Jan  1 00:02:00 2026", NOW)).isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void anRfc850YearUpToFiftyYearsAheadIsThisCentury() {
    // 2076, not 1976: a wait (capped at the hour), not a date already past (1 s)
    assertThat(RetryAfter.parse("Wednesday, 01-Jan-76 00:00:00 GMT", NOW)).isEqualTo(RetryAfter.MAX);
  }

  @Test
  void anRfc850YearMoreThanFiftyYearsAheadIsTheLastCenturySoAlreadyPast() {
    assertThat(RetryAfter.parse("Thursday, 01-Jan-76 00:00:01 GMT", NOW))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(RetryAfter.parse("Saturday, 01-Jan-77 00:00:00 GMT", NOW)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aRetryAfterLongerThanTheHourlyLimitWindowIsCappedAtAnHour() {
    assertThat(RetryAfter.parse("31536000", NOW)).isEqualTo(Duration.ofHours(1));
    assertThat(RetryAfter.parse("99999999999999999999999", NOW)).isEqualTo(Duration.ofHours(1));
    assertThat(RetryAfter.parse("Fri, 01 Jan 2027 00:00:00 GMT", NOW)).isEqualTo(Duration.ofHours(1));
    assertThat(RetryAfter.parse("3600", NOW)).isEqualTo(Duration.ofHours(1));
    assertThat(RetryAfter.parse("3599", NOW)).isEqualTo(Duration.ofSeconds(3599));
  }

  @Test
  void aSignedNumberOfSecondsIsReadAsSecondsWhateverItsLength() {
    assertThat(RetryAfter.parse("+5", NOW)).isEqualTo(Duration.ofSeconds(5));
    assertThat(RetryAfter.parse("-5", NOW)).isEqualTo(Duration.ofSeconds(1));
    // too long for a long, as the unsigned form: a wait beyond the cap, or one already over; never the default
    assertThat(RetryAfter.parse("+99999999999999999999999", NOW)).isEqualTo(RetryAfter.MAX);
    assertThat(RetryAfter.parse("-99999999999999999999999", NOW)).isEqualTo(Duration.ofSeconds(1));
  }
}
