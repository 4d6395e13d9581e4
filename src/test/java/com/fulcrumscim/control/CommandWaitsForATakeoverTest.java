package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.RetryCommand;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon's lease that lapsed a moment ago is a failover or a restart under way, not "no daemon":
 * the command waits for the daemon that takes it over (a standby, here another lease holder that
 * claims and answers requests as the daemon's request thread does), up to a lease's life.
 */
class CommandWaitsForATakeoverTest {
  /** The command's lease life (ha.lease_ttl): how long after a lapse it waits for a daemon. */
  static final Duration TTL = Duration.ofSeconds(5);
  static final OperatorRequest.Answer BY_THE_DAEMON = new OperatorRequest.Answer(0, "by the daemon" + System.lineSeparator(), "");
  static final OperatorRequest.Answer IN_PROCESS = RetryCommand.IN_PROCESS;

  @TempDir Path dir;
  Database db;
  RequestStore store;
  final StringWriter notices = new StringWriter();
  final AtomicBoolean workedInProcess = new AtomicBoolean();

  StoreLocation store() {
    return new StoreLocation.SqliteFile(dir.resolve("bridge.db"));
  }

  @BeforeEach
  void open() {
    db = Database.open(store());
    store = new RequestStore(db, Clock.systemUTC());
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aCommandFindingTheDaemonsLeaseJustLapsedWaitsForTheStandbyThatTakesItOver() throws Exception {
    leaderStopsRenewing(Duration.ofMillis(500));
    await().atMost(Duration.ofSeconds(5)).until(() -> daemonLease(TTL).current().isEmpty());

    CompletableFuture<OperatorRequest.Answer> answer = command();
    await().atMost(Duration.ofSeconds(3)).until(() -> notices.toString().contains("lapsed") || answer.isDone());
    assertThat(workedInProcess).as("waits for a daemon instead of working in-process").isFalse();
    assertThat(daemonLease(Duration.ofMinutes(1)).tryHold()).as("a standby takes the lease over").isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> store.get(1).isPresent());
    daemonAnswers(1);

    assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(BY_THE_DAEMON);
    assertThat(workedInProcess).isFalse();
    assertThat(notices.toString()).startsWith("the daemon's writer lease lapsed at ").contains("before doing this here");
  }

  @Test
  void aRequestPendingWhenTheDaemonsLeaseLapsesIsCarriedOutByTheDaemonThatTakesOver() throws Exception {
    leaderStopsRenewing(Duration.ofSeconds(2));
    CompletableFuture<OperatorRequest.Answer> answer = command();
    await().atMost(Duration.ofSeconds(5)).until(() -> store.get(1).isPresent());

    await().atMost(Duration.ofSeconds(5)).until(() -> notices.toString().contains("to carry out request #1") || answer.isDone());
    assertThat(workedInProcess).as("waits for a daemon instead of working in-process").isFalse();
    assertThat(daemonLease(Duration.ofMinutes(1)).tryHold()).as("a standby takes the lease over").isTrue();
    daemonAnswers(1);

    assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(BY_THE_DAEMON);
    assertThat(workedInProcess).isFalse();
  }

  @Test
  void withNoDaemonTakingTheLapsedLeaseOverTheCommandWorksInProcessALeasesLifeAfterTheLapse() throws Exception {
    leaderStopsRenewing(Duration.ofMillis(500));
    await().atMost(Duration.ofSeconds(5)).until(() -> daemonLease(TTL).current().isEmpty());
    long started = System.nanoTime();

    OperatorRequest.Answer answer = command().get(TTL.multipliedBy(3).toSeconds(), TimeUnit.SECONDS);

    assertThat(answer).isEqualTo(IN_PROCESS);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TTL.plusSeconds(2));
    assertThat(notices.toString()).startsWith("the daemon's writer lease lapsed at ");
    assertThat(store.get(1)).as("no request was left behind").isEmpty();
  }

  /** The leader took the lease for {@code life} and renews it no more (it died, stalled, or lost the database). */
  private void leaderStopsRenewing(Duration life) {
    assertThat(daemonLease(life).tryHold()).isTrue();
  }

  WriterLease daemonLease(Duration life) {
    return new WriterLease(db, DatabaseClock.of(db, Clock.systemUTC()), WriterLease.Role.DAEMON, life);
  }

  /** What the daemon's request thread does: claims the oldest pending request and answers it. */
  void daemonAnswers(long id) {
    assertThat(store.claimNext()).hasValueSatisfying(r -> assertThat(r.id()).isEqualTo(id));
    assertThat(store.answer(id, BY_THE_DAEMON)).isTrue();
  }

  CompletableFuture<OperatorRequest.Answer> command() {
    return RetryCommand.start(db, TTL, notices, workedInProcess);
  }
}
