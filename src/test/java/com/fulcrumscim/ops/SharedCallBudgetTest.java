package com.fulcrumscim.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.testing.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two leaders in sequence on one database, each with a fresh client (as a node that takes over
 * has): the second spends only what the first left of the trailing hour, and Fulcrum (the
 * emulator over HTTP) never sees more than the budget in that hour.
 */
class SharedCallBudgetTest {
  static final int BUDGET = 300;
  static final int SPENT_BY_FIRST = 180;

  @TempDir Path dir;
  final SettableClock clock = new SettableClock(Instant.parse("2026-03-02T10:00:10Z"));
  FulcrumEmulator fulcrum;
  Database db;

  @BeforeEach
  void start() {
    fulcrum = FulcrumEmulator.builder().callsPerHour(0).build().start("127.0.0.1", 0);
    db = Database.open(dir.resolve("bridge.db"));
  }

  @AfterEach
  void stop() {
    db.close();
    fulcrum.close();
  }

  /** A node's client as the daemon wires it, but for the fence: pacing waits are skipped (the clock is set by hand). */
  HttpFulcrumClient leader() {
    FulcrumCallLog log = new FulcrumCallLog(db, DatabaseClock.local(clock), BUDGET);
    return new HttpFulcrumClient(FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(), BUDGET, Duration.ofSeconds(5),
        Duration.ofSeconds(5)), new SimpleMeterRegistry(), clock, wait -> {}, FulcrumCallListener.NONE, log);
  }

  @Test
  void aNewLeaderGetsOnlyWhatTheOldOneLeftOfTheTrailingHour() {
    try (HttpFulcrumClient old = leader()) {
      for (int i = 0; i < SPENT_BY_FIRST; i++) {
        old.roles();
      }
    } // the old leader dies here
    clock.tick(Duration.ofMinutes(5));
    fulcrum.calls().reset();

    try (HttpFulcrumClient next = leader()) {
      int sent = 0;
      while (sent <= BUDGET) {
        try {
          next.roles();
          sent++;
        } catch (FulcrumException.RateLimited spent) {
          break;
        }
      }
      assertThat(sent).isEqualTo(BUDGET - SPENT_BY_FIRST);
      assertThat(fulcrum.calls().total()).as("what reached Fulcrum").isEqualTo(BUDGET - SPENT_BY_FIRST);
      assertThatThrownBy(next::roles).as("asked again").isInstanceOf(FulcrumException.RateLimited.class);

      // an hour (and the minute it started in) after the old leader's calls, the budget is whole again
      clock.set(Instant.parse("2026-03-02T11:01:00Z"));
      next.roles();
      assertThat(new FulcrumCallLog(db, clock).lastHour()).isEqualTo(BUDGET - SPENT_BY_FIRST + 1);
    }
  }

  /** review-s14a F3: the cool-down lived in the old process alone, so a restart inside it called Fulcrum at once. */
  @Test
  void aNewLeaderInsideFulcrumsRetryAfterSendsNothingUntilItHasPassed() {
    fulcrum.faults().rateLimitBurst(1, Duration.ofMinutes(5));
    try (HttpFulcrumClient old = leader()) {
      assertThatThrownBy(old::roles).isInstanceOf(FulcrumException.RateLimited.class);
    } // the old leader stops here (a restart, or a node that takes over)
    clock.tick(Duration.ofMinutes(2));

    try (HttpFulcrumClient next = leader()) {
      assertThatThrownBy(next::roles).isInstanceOf(FulcrumException.RateLimited.class)
          .hasMessageContaining("not sent: Fulcrum's rate limit (a 429) holds calls back; retry after 180s");
      assertThat(fulcrum.calls().total()).as("what reached Fulcrum: the 429'd call alone").isEqualTo(1);

      clock.tick(Duration.ofMinutes(3));
      assertThat(next.roles()).isNotEmpty();
    }
  }
}
