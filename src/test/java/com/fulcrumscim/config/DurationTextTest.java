package com.fulcrumscim.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DurationTextTest {

  @Test
  void aDurationIsWrittenInTheLargestUnitThatHoldsItWhole() {
    assertThat(DurationText.of(Duration.ofSeconds(30))).isEqualTo("30s");
    assertThat(DurationText.of(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(DurationText.of(Duration.ofMillis(3_500))).isEqualTo("3500ms");
    assertThat(DurationText.of(Duration.ofHours(24))).isEqualTo("24h");
    assertThat(DurationText.of(Duration.ofDays(7))).isEqualTo("7d");
    assertThat(DurationText.of(Duration.ZERO)).isEqualTo("0");
  }

  @Test
  void whatItWritesTheConfigReadsBackAsTheSameDuration() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      Duration d = Duration.ofMillis(random.nextInt(4) == 0 ? random.nextInt(10_000) : (long) random.nextInt(1_000) * 60_000 + random.nextInt(3) * 30_000L);
      assertThat(ConfigLoader.parseDuration(DurationText.of(d))).as("seed %d: %s", seed, d).isEqualTo(d);
    }
  }
}
