package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.BlackholeProxy;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A node's entry on PostgreSQL, where two transactions of one node may write it at once. */
@RequiresPostgres
class NodeTokensOnPostgresTest {
  final Database db = Database.open(TestStore.freshPostgres().location());
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @AfterEach
  void close() {
    db.close();
  }

  /**
   * review-s12a F5: a scheduled write read the list, a reload then wrote its new one, and the
   * scheduled write committed the old list after it: an entry naming a token the node had dropped,
   * for a lease life. Here the scheduled write is held at its clock reading, inside its transaction.
   */
  @Test
  void aScheduledWriteBegunBeforeAReloadDoesNotPutBackTheListTheReloadReplaced() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch goOn = new CountDownLatch(1);
    CountDownLatch nextBegan = new CountDownLatch(1);
    CountDownLatch end = new CountDownLatch(1);
    AtomicInteger scheduled = new AtomicInteger();
    DatabaseClock clock = c -> {
      if (Thread.currentThread().getName().equals("node-tokens")) {
        // the first scheduled write waits for the reload; the next one, once begun, tells the first has committed
        boolean first = scheduled.incrementAndGet() == 1;
        (first ? held : nextBegan).countDown();
        await(first ? goOn : end);
      }
      return Clock.systemUTC().millis();
    };
    try (NodeTokens.Recorded node = new NodeTokens(db, clock).record("a:8080", "1@a/aaaa", List.of("old"), Duration.ofSeconds(1), new ClockSkew(Clock.systemUTC()))) {
      assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> reload = CompletableFuture.runAsync(() -> node.accepting(List.of("new")));
      try {
        reload.get(500, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // it waits for the scheduled write to end: what keeps the order
      }
      goOn.countDown();
      reload.get(10, TimeUnit.SECONDS);
      assertThat(nextBegan.await(10, TimeUnit.SECONDS)).isTrue();

      assertThat(new NodeTokens(db, DatabaseClock.postgres()).live(Duration.ofSeconds(15))).singleElement()
          .extracting(NodeTokens.Entry::hashes).isEqualTo(List.of("new"));
      end.countDown();
    }
  }

  /**
   * review-s12e F3: a stop's removal of the entry waited on a database that vanished as long as any
   * write does (the socket timeout, 2 min), and systemd kills a stop after 60 s.
   */
  @Test
  void aStopWhileTheDatabaseDoesNotAnswerLeavesTheEntryToAgeOutWithinTheLeasesBound() {
    Duration ttl = Duration.ofSeconds(4);
    StoreLocation.Postgres pg = (StoreLocation.Postgres) db.location();
    try (BlackholeProxy proxy = BlackholeProxy.toServerOf(pg.url());
        Database viaProxy = Database.open(new StoreLocation.Postgres(proxy.in(pg.url()), pg.username(), pg.password()))) {
      NodeTokens.Recorded node = new NodeTokens(viaProxy, DatabaseClock.postgres()).record("a:8080", "1@a/aaaa",
          List.of("h1"), ttl, new ClockSkew(Clock.systemUTC()));
      proxy.blackhole();

      assertTimeoutPreemptively(ttl, () -> node.close());
      assertThat(logs.events()).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).singleElement()
          .extracting(ILoggingEvent::getFormattedMessage).asString()
          .contains("counts this node until the record ages out, 12s after its last write");
    }
  }

  /**
   * review-s13d 5: a stop's removal of the entry committed before a scheduled write still in flight (a
   * database that answers late), which then put the entry back, to count the stopped node for three
   * lease lives. Here the scheduled write is held at its clock reading, inside its transaction, through
   * close's interrupt (PgJDBC's socket read ignores it) until close has returned.
   */
  @Test
  void aScheduledWriteInFlightAtTheStopDoesNotPutTheEntryBack() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch goOn = new CountDownLatch(1);
    AtomicReference<Thread> writer = new AtomicReference<>();
    DatabaseClock clock = c -> {
      if (Thread.currentThread().getName().equals("node-tokens") && writer.compareAndSet(null, Thread.currentThread())) {
        held.countDown();
        awaitThroughInterrupts(goOn);
      }
      return Clock.systemUTC().millis();
    };
    NodeTokens.Recorded node = new NodeTokens(db, clock).record("a:8080", "1@a/aaaa", List.of("h1"), Duration.ofSeconds(1), new ClockSkew(Clock.systemUTC()));
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();

    node.close();
    goOn.countDown();
    writer.get().join(10_000);

    assertThat(new NodeTokens(db, DatabaseClock.postgres()).live(Duration.ofSeconds(15))).isEmpty();
  }

  private static void awaitThroughInterrupts(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void await(CountDownLatch latch) throws SQLException {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException(e);
    }
  }
}
