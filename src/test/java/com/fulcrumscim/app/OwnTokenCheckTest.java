package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.control.AcceptedTokens;
import com.fulcrumscim.control.Leadership;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.reconcile.Outcome;
import com.fulcrumscim.testing.ReconcileHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standby's check of its own Fulcrum API token while another node's pause is recorded: a real
 * SQLite file and the Fulcrum emulator, on a lease short enough to check every 100 ms.
 */
class OwnTokenCheckTest {
  static final Duration TTL = Duration.ofMillis(50);

  @TempDir Path dir;
  ReconcileHarness h;
  OwnTokenCheck check;

  @BeforeEach
  void harness() {
    h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults().withoutScim());
    h.loop().refusedAtStart(new Outcome.Paused("on the node leader: Fulcrum refuses its API token", Optional.empty()));
  }

  @AfterEach
  void close() throws InterruptedException {
    if (check != null) {
      try {
        check.close();
      } catch (RuntimeException closedOnPurpose) {
        // its entry could not be taken back: the test closed that database
      }
    }
    h.close();
  }

  /** review-s12c F5: the entry's removal came first, and its failure left the node taking a free lease, /healthz silent. */
  @Test
  void aRefusedTokenIsMarkedThoughItsAcceptedEntryCannotBeRemoved() {
    Database gone = Database.open(dir.resolve("bridge.db"));
    AcceptedTokens accepted = new AcceptedTokens(gone, DatabaseClock.local(h.clock), "standby", OwnTokenCheck.fresh(TTL));
    gone.close();
    OwnTokenRefusal refusal = new OwnTokenRefusal();
    check = new OwnTokenCheck(refusal, accepted, new Leadership(TTL), h.loop(), h.wiring().reconciler(), TTL).start(false);

    h.fulcrum.replaceToken("a-token-this-node-does-not-have");

    await().atMost(Duration.ofSeconds(10)).until(() -> refusal.current().isPresent());
    assertThat(refusal.reason().orElseThrow()).contains("401");
  }
}
