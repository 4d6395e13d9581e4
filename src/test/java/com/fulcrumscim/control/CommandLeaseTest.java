package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.testing.CapturedLogs;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * review-s5 F4: an operator command's lease, renewed by its keeper on its own thread, on a real
 * SQLite file and the real clock, with a lease short enough to lapse within the test.
 */
class CommandLeaseTest {
  static final Duration TTL = Duration.ofMillis(900);
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  @TempDir Path dir;
  final Clock clock = Clock.systemUTC();
  Database db;

  WriterLease commandLease;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("bridge.db"));
    commandLease = new WriterLease(db, DatabaseClock.of(db, clock), WriterLease.Role.COMMAND, TTL);
  }

  @AfterEach
  void close() {
    db.close();
  }

  /**
   * review-s6b N1: a command whose work finished closes its lease in a try-with-resources; a
   * release the database refuses (a blip) must not take the place of the command's answer. The
   * lease expires within its life all the same.
   */
  @Test
  void aReleaseTheDatabaseRefusesIsLoggedNotThrown() {
    CommandLease command = CommandLease.take(commandLease).orElseThrow();
    db.write(c -> c.createStatement().executeUpdate("CREATE TRIGGER refuse_release BEFORE DELETE ON writer_lease "
        + "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"));

    command.close();

    assertThat(logs.events()).extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m).contains("could not give the writer lease up"));
  }

  /** The keeper's renewals all fail from the take on (the database unreachable): the lease lapses unrenewed. */
  @Test
  void aCommandWhoseLeaseLapsesBeforeItsFirstRenewalHearsItLost() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    DatabaseClock takenThenUnreachable = c -> {
      if (reads.incrementAndGet() > 1) {
        throw new SQLException("An I/O error occurred while sending to the backend", "08006");
      }
      return clock.millis();
    };
    try (CommandLease command = CommandLease.take(new WriterLease(db, takenThenUnreachable, WriterLease.Role.COMMAND, TTL))
        .orElseThrow()) {
      CountDownLatch lost = new CountDownLatch(1);
      command.whenLost(lost::countDown);

      assertThat(lost.await(TTL.toMillis() * 4, TimeUnit.MILLISECONDS)).as("told once the lease went unrenewed for its life")
          .isTrue();
    }
  }

  @Test
  void aCommandThatLostItsLeaseDoesNotTakeItAgain() throws Exception {
    try (CommandLease command = commandLosesItsLeaseToADaemonThatThenStops()) {
      assertThat(commandLease.current()).as("the lease, free again").isEmpty();
    }
  }

  @Test
  void aCommandThatLostItsLeaseDoesNotSpeakAsAStandbyDaemon() throws Exception {
    try (CommandLease command = commandLosesItsLeaseToADaemonThatThenStops()) {
      assertThat(logs.events()).extracting(ILoggingEvent::getFormattedMessage)
          .noneMatch(line -> line.contains("accepts and stores SCIM changes"));
    }
  }

  /** The command stalls past its lease, a daemon takes it over and stops a little later; the command's keeper runs on. */
  private CommandLease commandLosesItsLeaseToADaemonThatThenStops() throws InterruptedException {
    WriterLease daemon = new WriterLease(db, DatabaseClock.of(db, clock), WriterLease.Role.DAEMON, TTL);
    CommandLease command = CommandLease.take(commandLease).orElseThrow();
    CountDownLatch lost = new CountDownLatch(1);
    command.whenLost(lost::countDown);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      db.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET expires_at = 0"));
      return daemon.tryHold();
    });
    assertThat(lost.await(TTL.toMillis() * 4, TimeUnit.MILLISECONDS)).isTrue();
    Thread.sleep(LeaseKeeper.every(TTL).toMillis() * 2); // the daemon's lease live
    daemon.release();
    Thread.sleep(LeaseKeeper.every(TTL).toMillis() * 3); // free
    return command;
  }
}
