package com.fulcrumscim.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FulcrumCallLogTest {
  @TempDir Path dir;
  final SettableClock clock = new SettableClock();
  Database db;
  FulcrumCallLog calls;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("c.db"));
    calls = new FulcrumCallLog(db, clock);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void everyListenedCallCountsWhateverItsStatus() {
    calls.onCall("GET /api/v2/users.json", "200", Duration.ofMillis(5));
    calls.onCall("POST /api/v2/memberships.json", "429", Duration.ofMillis(5));
    calls.onCall("GET /api/v2/roles.json", "timeout", Duration.ofSeconds(30));
    assertThat(calls.lastHour()).isEqualTo(3);
  }

  @Test
  void callsOlderThanAnHourDropOutOfTheWindow() {
    calls.record();
    clock.tick(Duration.ofMinutes(30));
    calls.record();
    calls.record();
    clock.tick(Duration.ofMinutes(31));
    assertThat(calls.lastHour()).isEqualTo(2);
  }

  @Test
  void theCountIsInTheDatabaseNotInThisObject() {
    calls.record();
    assertThat(new FulcrumCallLog(db, clock).lastHour()).isEqualTo(1);
  }

  @Test
  void aBrokenDatabaseNeverBreaksTheCall() {
    db.close();
    assertThatCode(() -> calls.onCall("GET /api/v2/users.json", "200", Duration.ZERO)).doesNotThrowAnyException();
  }
}
