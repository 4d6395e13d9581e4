package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.ops.WriterNode;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What {@code token forget-generated} reads of the running nodes, on a real SQLite file. */
class NodeTokensTest {
  static final Duration TTL = Duration.ofSeconds(15);
  /** Longer than any test: the entries are written again only where a test says so. */
  static final Duration NEVER = Duration.ofHours(1);

  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  final SettableClock clock = new SettableClock(Instant.parse("2026-12-07T08:00:00Z"));
  Database db;
  NodeTokens nodes;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("b.db"));
    nodes = new NodeTokens(db, DatabaseClock.local(clock));
  }

  @AfterEach
  void close() {
    db.close();
  }

  List<String> holders() {
    return nodes.live(TTL).stream().map(NodeTokens.Entry::holder).toList();
  }

  /** Every write of an entry fails from now on, as on a full disk, while reads still work; {@code false}: they work again. */
  static void refuseEntryWrites(Database db, boolean refuse) {
    db.write(c -> {
      try (Statement s = c.createStatement()) {
        for (String on : List.of("INSERT", "UPDATE")) {
          s.execute(refuse ? "CREATE TRIGGER full_disk_" + on + " BEFORE " + on + " ON setting WHEN NEW.key LIKE"
              + " 'scim.node_tokens.%' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
              : "DROP TRIGGER full_disk_" + on);
        }
      }
      return null;
    });
  }

  /** review-s12a F5: containers given one hostname run at one host:port; a start took the other's entry away. */
  @Test
  void aStartLeavesTheEntryOfAnotherProcessAtItsAddress() throws Exception {
    try (NodeTokens.Recorded first = nodes.record("host:8080", "1@host/aaaa", List.of("h1"), NEVER, new ClockSkew(clock));
        NodeTokens.Recorded second = nodes.record("host:8080", "1@host/bbbb", List.of(), NEVER, new ClockSkew(clock))) {
      assertThat(holders()).containsExactlyInAnyOrder("1@host/aaaa", "1@host/bbbb");
      assertThat(NodeTokens.common(nodes.live(TTL))).isEmpty();
    }
  }

  @Test
  void aStartTakesAwayTheEntriesThatNoLongerCount() throws Exception {
    try (NodeTokens.Recorded killed = nodes.record("pod-1:8080", "1@pod-1/aaaa", List.of(), TTL, new ClockSkew(clock))) {
      clock.tick(TTL.multipliedBy(NodeTokens.LIVES).plusSeconds(1));

      try (NodeTokens.Recorded next = nodes.record("pod-2:8080", "1@pod-2/bbbb", List.of(), TTL, new ClockSkew(clock))) {
        assertThat(new SettingStore(db).keysStartingWith(NodeTokens.PREFIX)).containsExactly(NodeTokens.PREFIX + "pod-2:8080/1@pod-2/bbbb");
      }
    }
  }

  @Test
  void anEntryNotWrittenForThreeLeaseLivesNoLongerCounts() throws Exception {
    try (NodeTokens.Recorded killed = nodes.record("pod-1:8080", "1@pod-1/aaaa", List.of(), TTL, new ClockSkew(clock))) {
      clock.tick(TTL.multipliedBy(NodeTokens.LIVES).minusSeconds(1));
      assertThat(holders()).containsExactly("1@pod-1/aaaa");

      clock.tick(Duration.ofSeconds(2));

      assertThat(holders()).isEmpty();
    }
  }

  /** review-s12a F4: nodes on ha.lease_ttl 60s, a command on the default 15s dropped a standby's entry after 45 s. */
  @Test
  void anEntryCountsForThreeOfItsOwnNodesLeaseLivesWhateverTheReadersLeaseLife() throws Exception {
    try (NodeTokens.Recorded standby = nodes.record("b:8080", "1@b/bbbb", List.of("h1"), Duration.ofSeconds(60), new ClockSkew(clock))) {
      clock.tick(Duration.ofSeconds(50));

      assertThat(holders()).containsExactly("1@b/bbbb");
    }
  }

  @Test
  void anEntryOfAnEarlierReleaseWhichDoesNotSayItsLeaseLifeIsAgedByTheReadersOwn() {
    new SettingStore(db).put(NodeTokens.PREFIX + "a:8080/1@a/aaaa", clock.millis() + ";h1");
    clock.tick(TTL.multipliedBy(NodeTokens.LIVES).minusSeconds(1));
    assertThat(holders()).containsExactly("1@a/aaaa");

    clock.tick(Duration.ofSeconds(2));

    assertThat(holders()).isEmpty();
  }

  @Test
  void aNodeWritesItsEntryAgainEveryLeaseLife() throws Exception {
    try (NodeTokens.Recorded running = nodes.record("pod-1:8080", "1@pod-1/aaaa", List.of("h1"), Duration.ofMillis(50), new ClockSkew(clock))) {
      clock.tick(TTL.multipliedBy(NodeTokens.LIVES).plusSeconds(1));

      await().atMost(Duration.ofSeconds(10)).until(() -> holders().equals(List.of("1@pod-1/aaaa")));
    }
  }

  /** review-s12a F2: the reload stands (its tokens are in force); the entry follows at the next scheduled write. */
  @Test
  void aReloadWhoseEntryCannotBeWrittenHasItWrittenAtTheNextScheduledWriteAndSaysSo() throws Exception {
    try (NodeTokens.Recorded node = nodes.record("a:8080", "1@a/aaaa", List.of("h1"), Duration.ofMillis(50), new ClockSkew(clock))) {
      refuseEntryWrites(db, true);
      node.accepting(List.of("h2"));
      assertThat(nodes.live(TTL)).singleElement().extracting(NodeTokens.Entry::hashes).isEqualTo(List.of("h1"));

      refuseEntryWrites(db, false);

      await().atMost(Duration.ofSeconds(10)).until(() -> nodes.live(TTL).get(0).hashes().equals(List.of("h2")));
      await().atMost(Duration.ofSeconds(10)).until(() -> logs.events().stream().anyMatch(e -> e.getLevel() == Level.INFO
          && e.getFormattedMessage().startsWith("this node's record of the SCIM tokens it accepts is written again")));
    }
  }

  @Test
  void theTokenEveryNodeAcceptsIsOneBothListWhateverElseEachAccepts() throws Exception {
    try (NodeTokens.Recorded a = nodes.record("a:8080", "1@a/aaaa", List.of("h1", "h2"), NEVER, new ClockSkew(clock));
        NodeTokens.Recorded b = nodes.record("b:8080", "1@b/bbbb", List.of("h3", "h2"), NEVER, new ClockSkew(clock))) {
      assertThat(NodeTokens.common(nodes.live(TTL))).contains("h2");
    }
  }

  @Test
  void aCleanStopTakesTheEntryAway() throws Exception {
    nodes.record("a:8080", "1@a/aaaa", List.of("h1"), NEVER, new ClockSkew(clock)).close();

    assertThat(holders()).isEmpty();
  }

  /**
   * review-s14c F8: a stop interrupted the entry's scheduled write waiting its turn at the SQLite file,
   * which then said at WARN that it could not record the node's tokens, as a failure would.
   */
  @Test
  void aStopWhileAWriteWaitsItsTurnSaysNothingOfThatWrite() throws Exception {
    NodeTokens.Recorded recorded = nodes.record("a:8080", "1@a/aaaa", List.of("h1"), Duration.ofSeconds(1), new ClockSkew(clock));
    CountDownLatch busy = new CountDownLatch(1);
    Thread other = new Thread(() -> db.write(c -> {
      busy.countDown();
      Thread.sleep(3_000); // another writer holds the file: the write due at 1 s waits its turn
      return null;
    }));
    other.start();
    busy.await();
    Thread.sleep(1_500);

    recorded.close();
    other.join();

    assertThat(logs.events()).noneMatch(e -> e.getFormattedMessage().startsWith("could not record which SCIM tokens"));
  }

  /** Each node says once which other running node's ha.lease_ttl differs from its own, naming both. */
  @Test
  void aNodeSaysOnceThatAnotherRunningNodeHasAnotherLeaseTtl() throws Exception {
    try (NodeTokens.Recorded a = nodes.record("node-a:8080", "1@node-a/aaaa", List.of(), Duration.ofMillis(200), new ClockSkew(clock));
        NodeTokens.Recorded b = nodes.record("node-b:8080", "2@node-b/bbbb", List.of(), Duration.ofMillis(300), new ClockSkew(clock))) {
      await().atMost(Duration.ofSeconds(10)).until(() -> differing().size() == 2);
      Thread.sleep(1_000); // five more writes of a's, three of b's
      assertThat(differing()).containsExactlyInAnyOrder(
          "ha.lease_ttl differs between running nodes: 200ms on this node (node-a:8080/1@node-a/aaaa), 300ms on"
              + " node-b:8080/2@node-b/bbbb: each times the writer lease by its own; set the same ha.lease_ttl on every"
              + " node (README, High availability)",
          "ha.lease_ttl differs between running nodes: 300ms on this node (node-b:8080/2@node-b/bbbb), 200ms on"
              + " node-a:8080/1@node-a/aaaa: each times the writer lease by its own; set the same ha.lease_ttl on every"
              + " node (README, High availability)");
      assertThat(NodeTokens.differingLeaseTtls(nodes.live(TTL))).contains("ha.lease_ttl differs between running nodes:"
          + " 200ms on node-a:8080, 300ms on node-b:8080; each times the writer lease by its own: set the same on every node");
    }
  }

  @Test
  void nodesOfOneLeaseTtlSayNothingOfIt() throws Exception {
    try (NodeTokens.Recorded a = nodes.record("node-a:8080", "1@node-a/aaaa", List.of(), Duration.ofMillis(200), new ClockSkew(clock));
        NodeTokens.Recorded b = nodes.record("node-b:8080", "2@node-b/bbbb", List.of(), Duration.ofMillis(200), new ClockSkew(clock))) {
      Thread.sleep(1_000);
      assertThat(differing()).isEmpty();
      assertThat(NodeTokens.differingLeaseTtls(nodes.live(TTL))).isEmpty();
    }
  }

  /** The writer lease's holder by its node's address, and since its take-over; an unrecorded one by the lease's name. */
  @Test
  void theWriterIsNamedByItsNodesAddress() throws Exception {
    Instant took = Instant.parse("2026-12-07T07:59:00Z");
    try (NodeTokens.Recorded a = nodes.record("node-a:8080", "1@node-a/aaaa", List.of(), NEVER, new ClockSkew(clock))) {
      assertThat(NodeTokens.writer(new WriterLease.Holder("1@node-a/aaaa", WriterLease.Role.DAEMON, took,
          took.plusSeconds(75)), nodes.live(TTL))).isEqualTo(new WriterNode("node-a:8080", took));
      assertThat(NodeTokens.writer(new WriterLease.Holder("3@node-c/cccc", WriterLease.Role.DAEMON, took,
          took.plusSeconds(75)), nodes.live(TTL)).name()).isEqualTo("3@node-c/cccc");
    }
  }

  private List<String> differing() {
    return logs.events().stream().filter(e -> e.getLevel() == Level.WARN).map(e -> e.getFormattedMessage())
        .filter(line -> line.contains("ha.lease_ttl differs")).toList();
  }
}
