package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer lease on a real SQLite file, two processes' worth of holders on it. */
class WriterLeaseTest {
  @TempDir Path dir;
  SettableClock clock = new SettableClock();
  Database db;
  WriterLease daemon;
  WriterLease command;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("bridge.db"));
    daemon = new WriterLease(db, clock, WriterLease.Role.DAEMON);
    command = new WriterLease(db, clock, WriterLease.Role.COMMAND);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aLiveLeaseKeepsASecondHolderOut() {
    assertThat(command.tryHold()).isTrue();
    assertThat(daemon.tryHold()).isFalse();
    assertThat(daemon.current()).hasValueSatisfying(h -> {
      assertThat(h.role()).isEqualTo(WriterLease.Role.COMMAND);
      assertThat(h.holder()).isEqualTo(command.me());
    });
  }

  @Test
  void renewingKeepsItPastItsFirstExpiry() {
    assertThat(daemon.tryHold()).isTrue();
    clock.tick(WriterLease.TTL.minusSeconds(1));
    assertThat(daemon.tryHold()).isTrue();
    clock.tick(Duration.ofSeconds(2));
    assertThat(command.tryHold()).isFalse();
  }

  @Test
  void aHolderThatStopsRenewingLosesItWhenItExpires() {
    assertThat(command.tryHold()).isTrue();
    clock.tick(WriterLease.TTL);
    assertThat(daemon.current()).as("expired").isEmpty();
    assertThat(daemon.tryHold()).isTrue();
    assertThat(command.tryHold()).as("the old holder cannot take it back while the new one lives").isFalse();
  }

  @Test
  void releasingFreesItAtOnceButOnlyForItsHolder() {
    assertThat(command.tryHold()).isTrue();
    daemon.release();
    assertThat(daemon.tryHold()).as("someone else's release changes nothing").isFalse();
    command.release();
    assertThat(daemon.tryHold()).isTrue();
  }
}
