package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes' keepers on one real SQLite file, renewing by hand ({@code keep()}) on a settable clock
 * that is both the database's clock and the keepers' monotonic one.
 */
class LeaseKeeperTest {
  static final Duration TTL = WriterLease.TTL;

  @TempDir Path dir;
  final SettableClock clock = new SettableClock();
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  Database dbA;
  Database dbB;
  final Node a = new Node();
  final Node b = new Node();

  /** What one node's daemon sees: each take-over and each step-down. */
  final class Node {
    final AtomicInteger tookOver = new AtomicInteger();
    final AtomicInteger steppedDown = new AtomicInteger();
    /** A RuntimeException or an Error. */
    Throwable failNextTakeOver;
    RuntimeException failEveryTakeOver;
    /** Which of the lease's coming reads of the database clock fails (1: the next one), as on a dropped connection; 0: none. */
    int failClockRead;
    /** A failure of every coming read of the database clock, as a statement that times out on a lock; null: none. */
    SQLException everyClockReadFails;
    /** Whether it leaves a free lease to the others first (its own Fulcrum token refused). */
    boolean yields;
    /** Why the node must not lead (a schema newer than it knows), asked at take-over and renewal; null: it may. */
    String mustNotLead;
    /** The next such look fails, as a read on a bad connection does. */
    RuntimeException failNextLook;
    /** The next such look fails only once it has waited all of the bound it is given, as a read on a stuck connection does. */
    boolean stuckNextLook;
    Leadership leadership;
    LeaseKeeper keeper;

    Node on(Database db) {
      leadership = new Leadership(TTL, this::nanos);
      keeper = new LeaseKeeper(new WriterLease(db, this::databaseMillis, WriterLease.Role.DAEMON, TTL), leadership, () -> {
        tookOver.incrementAndGet();
        Throwable failure = failEveryTakeOver != null ? failEveryTakeOver : failNextTakeOver;
        failNextTakeOver = null;
        if (failure instanceof Error error) {
          throw error;
        }
        if (failure != null) {
          throw (RuntimeException) failure;
        }
      }, steppedDown::incrementAndGet, new LeaseKeeper.MustNotLead() {
        @Override
        public Optional<String> within(Duration bound) {
          return look(bound);
        }

        @Override
        public boolean yields() {
          return yields;
        }
      }, this::nanos);
      return this;
    }

    Optional<String> look(Duration bound) {
      if (stuckNextLook) {
        stuckNextLook = false;
        clock.tick(bound);
        throw new IllegalStateException("the read gave up after " + bound);
      }
      RuntimeException failure = failNextLook;
      failNextLook = null;
      if (failure != null) {
        throw failure;
      }
      return Optional.ofNullable(mustNotLead);
    }

    long nanos() {
      return clock.millis() * 1_000_000;
    }

    long databaseMillis(Connection c) throws SQLException {
      if (everyClockReadFails != null) {
        throw everyClockReadFails;
      }
      if (failClockRead > 0 && --failClockRead == 0) {
        throw new SQLException("An I/O error occurred while sending to the backend", "08006");
      }
      return clock.millis();
    }
  }

  @BeforeEach
  void open() {
    dbA = Database.open(dir.resolve("bridge.db"));
    dbB = Database.open(dir.resolve("bridge.db"));
    a.on(dbA);
    b.on(dbB);
  }

  @AfterEach
  void close() {
    dbA.close();
    dbB.close();
  }

  /** A starting daemon: it holds the lease from the moment its database is open, and takes over once ready. */
  @Test
  void aLeaseHeldBeforeStartKeepsOtherNodesOutButIsTakenOverOnlyOnceStarted() {
    try {
      a.keeper.hold();
      b.keeper.keep();

      assertThat(a.tookOver).as("not ready yet: nothing to take over with").hasValue(0);
      assertThat(a.leadership.leading()).isFalse();
      assertThat(b.leadership.leading()).as("the lease is a's").isFalse();

      a.keeper.start();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(a.tookOver).hasValue(1));
      assertThat(a.leadership.leading()).isTrue();
    } finally {
      a.keeper.halt();
    }
  }

  @Test
  void aNodeThatCouldNotRenewForAWholeLeaseTakesOverAnewWhenItRenewsAgain() {
    a.keeper.keep();
    assertThat(a.leadership.leading()).isTrue();
    // a stalls; b takes the expired lease, claims work, dies without releasing; its lease expires too
    clock.tick(TTL.plusSeconds(1));
    b.keeper.keep();
    assertThat(b.leadership.leading()).isTrue();
    clock.tick(TTL.plusSeconds(1));

    a.keeper.keep();

    // the row a renews is a new term: b's claimed work must be rescued, which only a take-over does
    assertThat(a.steppedDown).hasValue(1);
    assertThat(a.tookOver).hasValue(2);
    assertThat(a.leadership.mayWrite()).isTrue();
  }

  @Test
  void aNodeCutOffFromTheDatabaseForAWholeLeaseStopsLeading() {
    a.keeper.keep();
    dbA.close(); // every statement of a's now fails

    clock.tick(TTL.dividedBy(3));
    a.keeper.keep();
    assertThat(a.leadership.leading()).as("within the lease: still the leader, soon fenced").isTrue();
    clock.tick(TTL);
    a.keeper.keep();

    assertThat(a.leadership.leading()).isFalse();
    assertThat(a.steppedDown).hasValue(1);
  }

  /** review-s11b: a database restart read as a stall or a clock step, and the README sent the admin to NTP. */
  @Test
  void aLeaderCutOffFromTheDatabaseSaysItLostTheLeaseBecauseTheDatabaseCouldNotBeReached() {
    a.keeper.keep();
    dbA.close();
    clock.tick(TTL.dividedBy(3));
    a.keeper.keep();
    clock.tick(TTL);

    a.keeper.keep();

    assertThat(logLines(Level.ERROR)).filteredOn(line -> line.startsWith("LOST THE FULCRUM WRITER LEASE")).singleElement()
        .asString().contains("because the database could not be reached");
  }

  /** review-s12b F5: no other node shares one SQLite file; the stalled serve takes its lease again at once. */
  @Test
  void aServeStalledPastItsLeaseOnSqliteSaysItTakesTheLeaseAgainNotThatAnotherNodeMayHaveLed() {
    a.keeper.keep();
    clock.tick(TTL.multipliedBy(2));

    a.keeper.keep();

    assertThat(logLines(Level.ERROR)).filteredOn(line -> line.startsWith("LOST THE FULCRUM WRITER LEASE")).singleElement()
        .asString().contains("could not renew the lease for 30000 ms", "takes the lease again as soon as it is free",
            "no other serve shares this SQLite file").doesNotContain("another node").doesNotContain("standby");
    assertThat(a.leadership.leading()).isTrue();
  }

  /** review-s11f F4: a renewal timing out on a lock is no database outage, and the line must not send the admin away. */
  @Test
  void aLeaderWhoseRenewalsFailAtTheDatabaseDoesNotCallItAnOutage() {
    a.keeper.keep();
    a.everyClockReadFails = new SQLException("canceling statement due to statement timeout", "57014");
    clock.tick(TTL.dividedBy(3));
    a.keeper.keep();
    clock.tick(TTL);

    a.keeper.keep();

    assertThat(logLines(Level.ERROR)).filteredOn(line -> line.startsWith("LOST THE FULCRUM WRITER LEASE")).singleElement()
        .asString().contains("because its renewals failed at the database (last: ").contains("statement timeout")
        .doesNotContain("could not be reached").doesNotContain("restart or failover");
  }

  /** review-s11b: a standby logged "could not renew the writer lease" every attempt though it held none. */
  @Test
  void aStandbyCutOffFromTheDatabaseSaysSoOnceAMinuteNotAtEachAttempt() {
    a.keeper.keep();
    b.keeper.keep();
    dbB.close();

    for (int i = 0; i < 10; i++) {
      clock.tick(TTL.dividedBy(3));
      b.keeper.keep();
    }

    assertThat(logLines(Level.WARN)).noneMatch(line -> line.contains("could not renew"))
        .filteredOn(line -> line.startsWith("this standby could not reach the database")).hasSize(1);
    clock.tick(Duration.ofMinutes(1));
    b.keeper.keep();
    assertThat(logLines(Level.WARN)).filteredOn(line -> line.startsWith("this standby could not reach the database")).hasSize(2);
  }

  /** review-s11b: a node whose own Fulcrum token is refused took the lease from healthy standbys and paused. */
  @Test
  void aNodeThatYieldsLeavesAFreeLeaseToAnother() {
    b.yields = true;

    b.keeper.keep();
    a.keeper.keep();

    assertThat(b.leadership.leading()).isFalse();
    assertThat(a.leadership.leading()).isTrue();
  }

  @Test
  void aNodeThatYieldsTakesAFreeLeaseItLeftForALeaseLifeWhenNoneTookIt() {
    b.yields = true;
    b.keeper.keep();
    clock.tick(TTL);

    b.keeper.keep();

    assertThat(b.leadership.leading()).as("alone, or every node's token refused: it leads (and pauses) as before").isTrue();
  }

  List<String> logLines(Level level) {
    return logs.events().stream().filter(e -> e.getLevel() == level && e.getLoggerName().equals(LeaseKeeper.class.getName()))
        .map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void aLeaderThatMustNoLongerLeadStepsDownAtItsNextRenewalAndGivesTheLeaseUp() {
    a.keeper.keep();
    a.mustNotLead = "database schema version 10 is newer than this fulcrum-scim knows (9)";

    clock.tick(TTL.dividedBy(3));
    a.keeper.keep();
    b.keeper.keep();

    assertThat(a.leadership.leading()).isFalse();
    assertThat(a.steppedDown).hasValue(1);
    assertThat(b.leadership.leading()).as("the lease was given up at once").isTrue();
  }

  @Test
  void aLeaderThatMustNoLongerLeadSitsOutALeaseLife() {
    a.keeper.keep();
    a.mustNotLead = "database schema version 10 is newer than this fulcrum-scim knows (9)";
    clock.tick(TTL.dividedBy(3));
    a.keeper.keep();
    a.mustNotLead = null;

    clock.tick(TTL.dividedBy(3));
    a.keeper.keep();
    assertThat(a.tookOver).as("sitting out").hasValue(1);
    clock.tick(TTL);
    a.keeper.keep();

    assertThat(a.tookOver).hasValue(2);
  }

  @Test
  void aLeaderWhoseLookFailsKeepsLeadingAndLooksAgainAtTheNextRenewal() {
    a.keeper.keep();
    a.failNextLook = new IllegalStateException("connection reset");

    clock.tick(TTL.dividedBy(3));
    a.keeper.keep();
    assertThat(a.leadership.leading()).isTrue();
    a.mustNotLead = "database schema version 10 is newer than this fulcrum-scim knows (9)";
    clock.tick(TTL.dividedBy(3));
    a.keeper.keep();

    assertThat(a.leadership.leading()).isFalse();
    assertThat(a.steppedDown).as("once, after the look that found it").hasValue(1);
  }

  /**
   * review-s5 F2: the look runs on the keeper's thread, right after a renewal; the next renewal comes
   * a third of the lease's life after it ends. Bounded by anything longer than the lease's own bound
   * (the readiness probe's 10 s), a stuck look let the lease lapse and another node take it over.
   */
  @Test
  void aLeaderWhoseLookIsStuckUntilItsBoundKeepsTheLease() {
    a.keeper.keep();
    a.stuckNextLook = true;

    clock.tick(LeaseKeeper.every(TTL));
    a.keeper.keep();
    clock.tick(LeaseKeeper.every(TTL)); // the keeper's next run: a third of the lease after this one ended
    b.keeper.keep();
    a.keeper.keep();

    assertThat(b.leadership.leading()).as("another node took the lease over").isFalse();
    assertThat(a.steppedDown).hasValue(0);
    assertThat(a.leadership.leading()).isTrue();
  }

  /** review-s5 F4: a command's keeper is holding from the take, not from its first renewal. */
  @Test
  void aCommandsLeaseTakenOverBeforeItsFirstRenewalIsHeardLost() {
    AtomicInteger lost = new AtomicInteger();
    Leadership command = new Leadership(TTL, a::nanos);
    WriterLease lease = new WriterLease(dbA, a::databaseMillis, WriterLease.Role.COMMAND, TTL);
    assertThat(lease.tryHold()).isTrue();
    LeaseKeeper keeper = LeaseKeeper.heldByCommand(lease, command, lost::incrementAndGet, a.nanos(), a::nanos);
    assertThat(command.leading()).isTrue();

    clock.tick(TTL.plusSeconds(1)); // the command stalls before its keeper first renews; a daemon takes over
    b.keeper.keep();
    keeper.keep();

    assertThat(lost).hasValue(1);
    assertThat(command.leading()).isFalse();
  }

  @Test
  void aNodeThatMustNotLeadRefusesTheTakeOverAndLeavesTheLeaseToAnother() {
    a.mustNotLead = "database schema version 10 is newer than this fulcrum-scim knows (9)";

    a.keeper.keep();
    b.keeper.keep();

    assertThat(a.tookOver).as("nothing started").hasValue(0);
    assertThat(a.leadership.leading()).isFalse();
    assertThat(b.leadership.leading()).isTrue();
  }

  @Test
  void aFailedTakeOverIsUndone() {
    a.failNextTakeOver = new IllegalStateException("database error while rescuing");

    a.keeper.keep();

    assertThat(a.leadership.leading()).isFalse();
    assertThat(a.steppedDown).as("what the failed take-over started is stopped").hasValue(1);
  }

  @Test
  void aNodeWhoseTakeOverFailedGivesTheLeaseUpSoAnotherTakesItAtOnce() {
    a.failNextTakeOver = new IllegalStateException("cannot schedule the resync");
    a.keeper.keep();

    b.keeper.keep();

    assertThat(b.leadership.leading()).isTrue();
  }

  @Test
  void aTakeOverFailingWithAnErrorGivesTheLeaseUpLikeAnyOtherFailure() {
    a.failNextTakeOver = new NoClassDefFoundError("org/quartz/impl/StdSchedulerFactory");
    assertThatCode(a.keeper::keep).doesNotThrowAnyException();

    b.keeper.keep();

    assertThat(a.leadership.leading()).isFalse();
    assertThat(b.leadership.leading()).isTrue();
  }

  @Test
  void aNodeWhoseTakeOverFailedTriesAgainOnlyAfterALeaseLife() {
    a.failNextTakeOver = new IllegalStateException("database error while rescuing");
    a.keeper.keep();

    clock.tick(TTL.dividedBy(3));
    a.keeper.keep();
    assertThat(a.tookOver).as("sitting out, so a healthy node can take the lease").hasValue(1);
    clock.tick(TTL.minus(TTL.dividedBy(3)));
    a.keeper.keep();

    assertThat(a.tookOver).hasValue(2);
    assertThat(a.leadership.leading()).isTrue();
  }

  @Test
  void aNodeWhoseTakeOverAlwaysFailsLeavesTheLeaseToAHealthyOne() {
    a.failEveryTakeOver = new IllegalStateException("cannot schedule the resync: its cron never fires");

    for (int renewal = 0; renewal < 30; renewal++) {
      a.keeper.keep(); // first each round: the healthy node only ever finds the lease as the broken one left it
      b.keeper.keep();
      clock.tick(TTL.dividedBy(3));
    }

    assertThat(b.leadership.leading()).isTrue();
    assertThat(b.steppedDown).as("never lost it once taken").hasValue(0);
  }

  @Test
  void whatWaitsForLeadershipRunsOnlyOnceTheNodeMayWrite() {
    List<Boolean> mayWriteWhenTold = new ArrayList<>();
    a.leadership.whenLeading(() -> mayWriteWhenTold.add(a.leadership.mayWrite()));

    a.keeper.keep();
    clock.tick(TTL.dividedBy(3));
    a.keeper.keep();

    assertThat(mayWriteWhenTold).containsExactly(true);
  }

  @Test
  void aStandbyDoesNotTakeALiveLease() {
    a.keeper.keep();
    clock.tick(TTL.dividedBy(3));
    b.keeper.keep();

    assertThat(b.tookOver).hasValue(0);
    assertThat(b.leadership.leading()).isFalse();
  }

  @Test
  void aStandbyThatCouldNotReadWhoHoldsTheLeaseKeepsTryingAndTakesItOnceFree() {
    b.keeper.keep();
    a.failClockRead = 2; // a's attempt to take the lease is answered; its look at who holds it is not
    a.keeper.keep();
    b.keeper.close();

    clock.tick(TTL.dividedBy(3));
    a.keeper.keep();

    assertThat(a.leadership.leading()).isTrue();
  }

  @Test
  void aLeaderThatFindsItsLeaseTakenStepsDownEvenWhenItCannotReadByWhom() {
    a.keeper.keep();
    dbB.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET holder = 'another-node/1'"));
    a.failClockRead = 2;

    clock.tick(TTL.dividedBy(3));
    a.keeper.keep();

    assertThat(a.steppedDown).hasValue(1);
    assertThat(a.leadership.leading()).isFalse();
    assertThat(a.leadership.mayWrite()).isFalse();
  }

  @Test
  void aFailureWhileLeadingMakesTheNodeStepDownRatherThanStopKeepingTheLease() {
    a.leadership.whenLeading(() -> {
      throw new IllegalStateException("a start-up step that fails once the node leads");
    });

    a.keeper.keep();

    assertThat(a.steppedDown).hasValue(1);
    assertThat(a.leadership.mayWrite()).isFalse();
  }
}
