package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The clock the intake stamps due times on (review-s17ha F4): moved back onto the database's when
 * this node runs ahead, never later than the node's own (review-s17e F1: the leader decides what is
 * due on its own clock; F2: an offset from before an NTP step), and not moved by a stalled read.
 */
class ClockSkewTest {
  static final long TEN_MINUTES = Duration.ofMinutes(10).toMillis();
  final Clock local = Clock.fixed(Instant.parse("2026-12-08T01:00:00Z"), ZoneOffset.UTC);
  final ClockSkew skew = new ClockSkew(local);

  @Test
  void aNodeAheadOfTheDatabaseStampsOnTheDatabasesTime() {
    skew.measured(new ClockSkew.Reading(local.millis() - TEN_MINUTES, TEN_MINUTES, 5), "a:8080");

    assertThat(skew.corrected().millis()).isEqualTo(local.millis() - TEN_MINUTES);
  }

  @Test
  void aNodeBehindTheDatabaseStampsNoLaterThanItsOwnClock() {
    skew.measured(new ClockSkew.Reading(local.millis() + TEN_MINUTES, -TEN_MINUTES, 5), "a:8080");

    assertThat(skew.corrected().millis()).isEqualTo(local.millis());
  }

  @Test
  void aStalledReadMovesNothing() {
    skew.measured(new ClockSkew.Reading(local.millis() - 2_100, 2_100, 4_200), "a:8080");

    assertThat(skew.corrected().millis()).isEqualTo(local.millis());
    assertThat(new ClockSkew.Reading(0, 2_100, 4_200).off()).as("off by no more than its read's error").isFalse();
  }
}
