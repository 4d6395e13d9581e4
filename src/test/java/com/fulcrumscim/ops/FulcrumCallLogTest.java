package com.fulcrumscim.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FulcrumCallLogTest {
  static final String CALL = "GET /api/v2/users.json";

  @TempDir Path dir;
  final SettableClock clock = new SettableClock(Instant.parse("2026-03-02T10:00:30Z"));
  Database db;
  FulcrumCallLog calls;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("c.db"));
    calls = new FulcrumCallLog(db, DatabaseClock.local(clock), 5);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void everyCallIsCountedBeforeItIsSent() {
    calls.check(CALL);
    calls.check("POST /api/v2/memberships.json");
    assertThat(calls.lastHour()).isEqualTo(2);
  }

  @Test
  void callsOlderThanAnHourDropOutOfTheWindow() {
    calls.check(CALL);
    clock.tick(Duration.ofMinutes(30));
    calls.check(CALL);
    calls.check(CALL);
    clock.tick(Duration.ofMinutes(31));
    assertThat(calls.lastHour()).isEqualTo(2);
  }

  @Test
  void theCountIsInTheDatabaseNotInThisObject() {
    calls.check(CALL);
    assertThat(new FulcrumCallLog(db, clock).lastHour()).isEqualTo(1);
  }

  @Test
  void aSpentBudgetRefusesTheCallUntilItsOldestMinuteHasLeftTheHour() {
    for (int i = 0; i < 5; i++) {
      calls.check(CALL);
      clock.tick(Duration.ofMinutes(1));
    }
    assertThatThrownBy(() -> calls.check(CALL)).isInstanceOfSatisfying(FulcrumException.RateLimited.class,
        // the first call's minute (10:00) counts until 11:01: the hour that ends then starts after it
        e -> assertThat(e.retryAfter()).isEqualTo(Duration.between(clock.instant(), Instant.parse("2026-03-02T11:01:00Z"))));
    assertThat(calls.lastHour()).as("a refused call is not counted").isEqualTo(5);

    clock.set(Instant.parse("2026-03-02T11:01:00Z"));
    calls.check(CALL);
    assertThat(calls.lastHour()).isEqualTo(5);
  }

  /** An hour's cool-down kept by the clock a day ahead, then the clock stepped back a day: now. */
  private void coolDownKeptADayAheadOfNow() {
    Instant back = clock.instant();
    clock.set(back.plus(Duration.ofDays(1)));
    calls.rateLimited(CALL, Duration.ofHours(1));
    clock.set(back);
  }

  /** review-s15b F1: kept a day ahead, its end held every call back for the day as well, across restarts. */
  @Test
  void aCoolDownKeptBeforeTheClockSteppedBackHoldsNothingBack() {
    coolDownKeptADayAheadOfNow();

    FulcrumCallLog restarted = new FulcrumCallLog(db, DatabaseClock.local(clock), 5);
    assertThat(restarted.coolDown()).isEmpty();
    restarted.check(CALL);
  }

  @Test
  void aCoolDownKeptBeforeTheClockSteppedBackGivesWayToFulcrumsNext429() {
    coolDownKeptADayAheadOfNow();

    calls.rateLimited(CALL, Duration.ofMinutes(5));

    assertThat(calls.coolDown()).hasValueSatisfying(d -> assertThat(d.until())
        .isEqualTo(clock.instant().plus(Duration.ofMinutes(5))));
  }

  @Test
  void aCoolDownKeptHoldsEveryCallBackUntilItsEnd() {
    calls.rateLimited(CALL, Duration.ofMinutes(5));

    FulcrumCallLog restarted = new FulcrumCallLog(db, DatabaseClock.local(clock), 5);
    assertThatThrownBy(() -> restarted.check(CALL)).isInstanceOf(FulcrumException.RateLimited.class);
    clock.tick(Duration.ofMinutes(5));
    restarted.check(CALL);
  }

  @Test
  void aCoolDownOverIsTakenAwayByTheNextCall() {
    calls.rateLimited(CALL, Duration.ofMinutes(5));
    clock.tick(Duration.ofMinutes(5));

    calls.check(CALL);

    assertThat(new SettingStore(db).get(FulcrumCoolDown.KEY)).isEmpty();
  }

  @Test
  void aCallThatCannotBeCountedIsNotSent() {
    db.close();
    assertThatThrownBy(() -> calls.check(CALL)).isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("not sent");
  }
}
