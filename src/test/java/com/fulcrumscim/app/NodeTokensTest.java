package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code token forget-generated} reads of the running nodes, on a real SQLite file. */
class NodeTokensTest {
  static final Duration TTL = Duration.ofSeconds(15);
  /** Longer than any test: the entries are written again only where a test says so. */
  static final Duration NEVER = Duration.ofHours(1);

  @TempDir Path dir;
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

  @Test
  void twoProcessesAtOneAddressBothCountOnceEachHasWritten() throws Exception {
    try (NodeTokens.Recorded first = nodes.record("host:8080", "1@host/aaaa", List.of("h1"), NEVER);
        NodeTokens.Recorded second = nodes.record("host:8080", "2@host/bbbb", List.of(), NEVER)) {
      assertThat(holders()).as("the earlier process's entry replaced at the later start").containsExactly("2@host/bbbb");

      first.accepting(List.of("h1"));

      assertThat(holders()).containsExactlyInAnyOrder("1@host/aaaa", "2@host/bbbb");
      assertThat(NodeTokens.common(nodes.live(TTL))).isEmpty();
    }
  }

  @Test
  void anEntryNotWrittenForThreeLeaseLivesNoLongerCounts() throws Exception {
    try (NodeTokens.Recorded killed = nodes.record("pod-1:8080", "1@pod-1/aaaa", List.of(), NEVER)) {
      clock.tick(TTL.multipliedBy(NodeTokens.LIVES).minusSeconds(1));
      assertThat(holders()).containsExactly("1@pod-1/aaaa");

      clock.tick(Duration.ofSeconds(2));

      assertThat(holders()).isEmpty();
    }
  }

  @Test
  void aNodeWritesItsEntryAgainEveryLeaseLife() throws Exception {
    try (NodeTokens.Recorded running = nodes.record("pod-1:8080", "1@pod-1/aaaa", List.of("h1"), Duration.ofMillis(50))) {
      clock.tick(TTL.multipliedBy(NodeTokens.LIVES).plusSeconds(1));

      await().atMost(Duration.ofSeconds(10)).until(() -> holders().equals(List.of("1@pod-1/aaaa")));
    }
  }

  @Test
  void theTokenEveryNodeAcceptsIsOneBothListWhateverElseEachAccepts() throws Exception {
    try (NodeTokens.Recorded a = nodes.record("a:8080", "1@a/aaaa", List.of("h1", "h2"), NEVER);
        NodeTokens.Recorded b = nodes.record("b:8080", "1@b/bbbb", List.of("h3", "h2"), NEVER)) {
      assertThat(NodeTokens.common(nodes.live(TTL))).contains("h2");
    }
  }

  @Test
  void aCleanStopTakesTheEntryAway() throws Exception {
    nodes.record("a:8080", "1@a/aaaa", List.of("h1"), NEVER).close();

    assertThat(holders()).isEmpty();
  }
}
