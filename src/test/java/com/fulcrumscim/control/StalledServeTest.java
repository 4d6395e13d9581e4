package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreLock;
import com.fulcrumscim.testing.SettableClock;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A serve holding the SQLite file without the writer lease, as status tells it from one starting. */
class StalledServeTest {
  static final Duration TTL = Duration.ofSeconds(15);

  @TempDir Path dir;
  Instant start = Instant.now();
  SettableClock clock = new SettableClock(start);
  Database db;
  WriterLease lease;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("bridge.db"));
    lease = new WriterLease(db, clock, WriterLease.Role.COMMAND);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aServeThatTookTheFileLessThanALeasesLifeAgoIsStartingNotStalled() {
    try (StoreLock serve = StoreLock.take(db.location(), "serve")) {
      assertThat(StalledServe.find(db.location(), lease, TTL, start.plus(TTL).minusSeconds(2))).isEmpty();
    }
  }

  @Test
  void aServeThatHasHeldNoLeaseForALeasesLifeIsNamedWithWhatToDo() {
    try (StoreLock serve = StoreLock.take(db.location(), "serve")) {
      assertThat(StalledServe.find(db.location(), lease, TTL, start.plus(TTL).plusSeconds(1))).hasValueSatisfying(line ->
          assertThat(line).startsWith("`fulcrum-scim serve` (" + ManagementFactory.getRuntimeMXBean().getName() + ", since ")
              .endsWith(") holds the database but has held no writer lease since it took it: hung or stopping; restart it "
                  + "(systemctl restart fulcrum-scim)"));
    }
  }

  @Test
  void whenItsOwnLeaseLapsedTheLineSaysWhen() {
    try (StoreLock serve = StoreLock.take(db.location(), "serve")) {
      WriterLease daemon = new WriterLease(db, clock, WriterLease.Role.DAEMON);
      assertThat(daemon.tryHold()).isTrue();
      Instant lapsed = start.plus(WriterLease.TTL);
      clock.set(lapsed.plus(TTL).minusSeconds(1));
      assertThat(StalledServe.find(db.location(), lease, TTL, clock.instant())).as("lapsed less than a lease's life ago").isEmpty();
      clock.set(lapsed.plus(TTL));
      assertThat(StalledServe.find(db.location(), lease, TTL, clock.instant())).hasValueSatisfying(line ->
          assertThat(line).contains(" holds the database but its writer lease lapsed at " + lapsed.truncatedTo(ChronoUnit.SECONDS)
              + ": hung or stopping; "));
    }
  }

  @Test
  void aServeHoldingALiveLeaseIsNotStalled() {
    try (StoreLock serve = StoreLock.take(db.location(), "serve")) {
      assertThat(new WriterLease(db, clock, WriterLease.Role.DAEMON).tryHold()).isTrue();
      assertThat(StalledServe.find(db.location(), lease, TTL, start.plus(TTL.multipliedBy(10)))).isEmpty();
    }
  }

  /** review-s8c F8: a daemon killed outright leaves a live lease on a file no serve holds. */
  @Test
  void aDaemonsLiveLeaseOnAFileNoServeHoldsIsAGoneDaemonWithWhatToDo() {
    WriterLease daemon = new WriterLease(db, clock, WriterLease.Role.DAEMON);
    assertThat(daemon.tryHold()).isTrue();

    assertThat(StalledServe.gone(db.location(), daemon.current())).hasValueSatisfying(line ->
        assertThat(line).startsWith("the daemon that holds the writer lease (" + daemon.me() + ") is gone: ")
            .contains("start it (systemctl start fulcrum-scim)"));
  }

  /** Who holds a lock file this user cannot open cannot be told: not a gone daemon (review-s9a M3). */
  @Test
  void aDaemonsLeaseOnALockFileThisUserCannotOpenIsNoGoneDaemon() throws Exception {
    WriterLease daemon = new WriterLease(db, clock, WriterLease.Role.DAEMON);
    assertThat(daemon.tryHold()).isTrue();
    // root opens any file it may read (CI runs as root): a socket in the lock file's place is one no user can open
    try (var socket = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      socket.bind(java.net.UnixDomainSocketAddress.of(dir.resolve("bridge.db.lock")));

      assertThat(StalledServe.gone(db.location(), daemon.current())).isEmpty();
    }
  }

  @Test
  void aDaemonsLeaseWhileAServeHoldsTheFileIsNoGoneDaemon() {
    try (StoreLock serve = StoreLock.take(db.location(), "serve")) {
      WriterLease daemon = new WriterLease(db, clock, WriterLease.Role.DAEMON);
      assertThat(daemon.tryHold()).isTrue();
      assertThat(StalledServe.gone(db.location(), daemon.current())).isEmpty();
    }
  }

  @Test
  void noServeHoldingTheFileIsNoStall() {
    try (StoreLock restore = StoreLock.take(db.location(), "restore")) {
      assertThat(StalledServe.find(db.location(), lease, TTL, start.plus(TTL.multipliedBy(10)))).isEmpty();
    }
    assertThat(StalledServe.find(db.location(), lease, TTL, start.plus(TTL.multipliedBy(10)))).isEmpty();
  }
}
