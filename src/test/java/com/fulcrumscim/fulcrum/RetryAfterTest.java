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
    assertThat(RetryAfter.parse("Wednesday, 01-Jan-76 00:00:00 GMT", NOW))
        .isEqualTo(Duration.between(NOW, Instant.parse("2076-01-01T00:00:00Z")));
  }

  @Test
  void anRfc850YearMoreThanFiftyYearsAheadIsTheLastCenturySoAlreadyPast() {
    assertThat(RetryAfter.parse("Thursday, 01-Jan-76 00:00:01 GMT", NOW))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(RetryAfter.parse("Saturday, 01-Jan-77 00:00:00 GMT", NOW)).isEqualTo(Duration.ofSeconds(1));
  }
}
