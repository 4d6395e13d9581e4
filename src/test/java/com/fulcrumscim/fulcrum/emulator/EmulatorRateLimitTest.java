package com.fulcrumscim.fulcrum.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.SettableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Decision 11: no more than N calls in any trailing hour per token, then 429 with Retry-After. */
class EmulatorRateLimitTest {
  final SettableClock clock = new SettableClock();
  @RegisterExtension final RunningEmulator emulator = new RunningEmulator(FulcrumEmulator.builder().callsPerHour(3).clock(clock));
  final FulcrumEmulator fulcrum = emulator.fulcrum;
  final Http http = emulator.http;

  private int call() {
    return http.get("/api/v2/roles.json").status();
  }

  @Test
  void theCallAfterTheBudgetIs429WithRetryAfter() {
    call();
    clock.tick(Duration.ofMinutes(10));
    call();
    call();
    Http.Resp r = http.get("/api/v2/roles.json");
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.header("Retry-After")).as("until the first call is an hour old").isEqualTo("3000");
  }

  @Test
  void theWindowSlidesRatherThanResetting() {
    call();
    clock.tick(Duration.ofMinutes(30));
    call();
    call();
    clock.tick(Duration.ofMinutes(30));
    assertThat(call()).as("the first call has left the window").isEqualTo(200);
    assertThat(call()).as("the other two are still inside it").isEqualTo(429);
    clock.tick(Duration.ofMinutes(30));
    assertThat(call()).isEqualTo(200);
  }

  @Test
  void refusedCallsDoNotSpendTheBudget() {
    for (int i = 0; i < 3; i++) {
      call();
    }
    for (int i = 0; i < 5; i++) {
      assertThat(call()).isEqualTo(429);
    }
    clock.tick(Duration.ofHours(1));
    assertThat(call()).isEqualTo(200);
  }

  @Test
  void aNewTokenHasItsOwnBudget() {
    for (int i = 0; i < 4; i++) {
      call();
    }
    fulcrum.replaceToken("second");
    assertThat(call()).isEqualTo(200);
  }

  @Test
  void resetForgetsTheWindow() {
    for (int i = 0; i < 4; i++) {
      call();
    }
    fulcrum.resetRateLimit();
    assertThat(call()).isEqualTo(200);
  }

  @Test
  void zeroMeansNoLimit() {
    try (FulcrumEmulator open = FulcrumEmulator.builder().callsPerHour(0).build().start()) {
      Http h = new Http(open);
      for (int i = 0; i < 20; i++) {
        assertThat(h.get("/api/v2/roles.json").status()).isEqualTo(200);
      }
    }
  }
}
