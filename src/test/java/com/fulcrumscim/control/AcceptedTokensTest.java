package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * review-s11f F1: which node a leader paused on its own token hands the lease to. Three nodes' entries
 * on one real SQLite file, on a settable database clock.
 */
class AcceptedTokensTest {
  static final Duration FRESH = Duration.ofSeconds(60);
  static final Duration BOUND = Duration.ofSeconds(5);

  @TempDir Path dir;
  final SettableClock clock = new SettableClock();
  Database db;
  AcceptedTokens a;
  AcceptedTokens b;
  AcceptedTokens c;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("bridge.db"));
    a = node("a");
    b = node("b");
    c = node("c");
  }

  @AfterEach
  void close() {
    db.close();
  }

  AcceptedTokens node(String name) {
    return new AcceptedTokens(db, DatabaseClock.local(clock), name, FRESH);
  }

  static Optional<String> node(Optional<AcceptedTokens.Accepted> taken) {
    return taken.map(AcceptedTokens.Accepted::node);
  }

  @Test
  void aLeaderNeverTakesItsOwnEntry() {
    a.accepted(BOUND);

    assertThat(a.takeAnothers(BOUND)).isEmpty();
  }

  @Test
  void aLeaderTakesTheFreshestEntryOfAnotherNode() {
    b.accepted(BOUND);
    clock.tick(Duration.ofSeconds(10));
    c.accepted(BOUND);

    assertThat(node(a.takeAnothers(BOUND))).contains("c");
  }

  @Test
  void anEntryMakesOneHandOverAtMost() {
    b.accepted(BOUND);
    assertThat(node(a.takeAnothers(BOUND))).contains("b");

    assertThat(c.takeAnothers(BOUND)).isEmpty();
  }

  @Test
  void anEntryNoLongerFreshIsNotTaken() {
    b.accepted(BOUND);
    clock.tick(FRESH);

    assertThat(a.takeAnothers(BOUND)).isEmpty();
  }

  @Test
  void aNodeWhoseTokenWasRefusedSinceIsNotTaken() {
    b.accepted(BOUND);
    b.refused(BOUND);

    assertThat(a.takeAnothers(BOUND)).isEmpty();
  }

  /** review-s12c F6: a node of a shorter ha.lease_ttl removed a longer one's entry as stale by its own. */
  @Test
  void anEntryCountsAsLongAsItsOwnNodesLeaseSays() {
    AcceptedTokens longLease = new AcceptedTokens(db, DatabaseClock.local(clock), "long", FRESH.multipliedBy(4));
    longLease.accepted(BOUND);
    clock.tick(FRESH.multipliedBy(2));
    a.accepted(BOUND);

    assertThat(node(a.takeAnothers(BOUND))).contains("long");
  }

  @Test
  void theNodeThatJustHandedTheLeaseOverIsNotHandedItStraightBack() {
    b.accepted(BOUND);
    assertThat(node(a.takeAnothers(BOUND))).contains("b");
    clock.tick(Duration.ofSeconds(20));
    a.accepted(BOUND);

    assertThat(b.takeAnothers(BOUND)).as("a checked fresh, but handed over a moment ago").isEmpty();
  }

  @Test
  void theNodeThatHandedTheLeaseOverIsHandedItAgainInALaterIncident() {
    b.accepted(BOUND);
    assertThat(node(a.takeAnothers(BOUND))).contains("b");
    clock.tick(FRESH);
    a.accepted(BOUND);

    assertThat(node(b.takeAnothers(BOUND))).contains("a");
  }
}
