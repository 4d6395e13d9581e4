package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;

import com.fulcrumscim.control.AcceptedTokens;
import com.fulcrumscim.control.Leadership;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.reconcile.Outcome;
import com.fulcrumscim.testing.BlackholeProxy;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ReconcileHarness;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standby's check of its own Fulcrum API token while another node's pause is recorded: a real
 * SQLite file and the Fulcrum emulator, on a lease short enough to check every 100 ms.
 */
class OwnTokenCheckTest {
  static final Duration TTL = Duration.ofMillis(50);

  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
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
      check.close();
    }
    h.close();
  }

  /** review-s12c F5: the entry's removal came first, and its failure left the node taking a free lease, /healthz silent. */
  @Test
  void aRefusedTokenIsMarkedThoughItsAcceptedEntryCannotBeRemoved() {
    OwnTokenRefusal refusal = new OwnTokenRefusal();
    check = writingToAGoneDatabase(refusal);

    h.fulcrum.replaceToken("a-token-this-node-does-not-have");

    await().atMost(Duration.ofSeconds(10)).until(() -> refusal.current().isPresent());
    assertThat(refusal.reason().orElseThrow()).contains("401");
  }

  /**
   * review-s13d 2, the mirror of s12c F5: the entry was written before the refusal was taken back,
   * so a failed write left a node whose token works again marked refused (/healthz, a free lease
   * given up).
   */
  @Test
  void anAcceptedTokenIsUnmarkedThoughItsAcceptedEntryCannotBeWritten() {
    OwnTokenRefusal refusal = new OwnTokenRefusal();
    refusal.refused(new Outcome.Paused("Fulcrum refuses this node's API token (401)", Optional.empty()));
    check = writingToAGoneDatabase(refusal);

    await().atMost(Duration.ofSeconds(10)).until(() -> refusal.current().isEmpty());
  }

  /** review-s13e F4: the record's failed write was logged as a check that could not be made, though Fulcrum answered it. */
  @Test
  void anAcceptedTokenWhoseRecordCannotBeWrittenSaysTheRecordFailedNotTheCheck() {
    OwnTokenRefusal refusal = new OwnTokenRefusal();
    refusal.refused(new Outcome.Paused("Fulcrum refuses this node's API token (401)", Optional.empty()));
    check = writingToAGoneDatabase(refusal);

    await().atMost(Duration.ofSeconds(10)).until(() -> logs.events().stream()
        .anyMatch(e -> e.getFormattedMessage().startsWith("Fulcrum accepts this node's own API token again (its /healthz no"
            + " longer says refused), but recording that for the other nodes failed")));
    assertThat(logs.events()).noneMatch(e -> e.getFormattedMessage().startsWith("could not check this node's own"));
  }

  /** A started check whose entry's writes fail: its database is closed under it. */
  private OwnTokenCheck writingToAGoneDatabase(OwnTokenRefusal refusal) {
    Database gone = Database.open(dir.resolve("bridge.db"));
    AcceptedTokens accepted = new AcceptedTokens(gone, DatabaseClock.local(h.clock), "standby", OwnTokenCheck.fresh(TTL));
    gone.close();
    return new OwnTokenCheck(refusal, accepted, new Leadership(TTL), h.loop(), h.wiring().reconciler(), TTL).start(false);
  }

  /**
   * review-s12e F2: close waited 10 s for a check, then took the entry back; Fulcrum answering the
   * check's read later (within the client's read timeout, which the interrupt does not cut short)
   * put back a fresh entry of a node gone, the one a paused leader would hand the lease to.
   */
  @Test
  void aCheckFulcrumAnswersAfterCloseBeganWritesNoEntry() throws Exception {
    try (HeldAnswer fulcrum = new HeldAnswer("{\"user\":{\"id\":\"u-1\",\"email\":\"owner@corp.example\","
            + "\"firstName\":\"Token\",\"lastName\":\"Owner\"}}");
        HttpFulcrumClient client = new HttpFulcrumClient(FulcrumSettings.of(fulcrum.url(), ReconcileHarness.TOKEN,
            3_600_000, Duration.ofSeconds(5), Duration.ofSeconds(30)), new SimpleMeterRegistry(), h.clock, h.clock::tick,
            FulcrumCallListener.NONE)) {
      ReconcileWiring slow = h.newWiring(client);
      AcceptedTokens accepted = new AcceptedTokens(h.db, DatabaseClock.local(h.clock), "standby", OwnTokenCheck.fresh(TTL));
      check = new OwnTokenCheck(new OwnTokenRefusal(), accepted, new Leadership(TTL), h.loop(), slow.reconciler(), TTL)
          .start(false);
      assertThat(fulcrum.asked.await(10, TimeUnit.SECONDS)).isTrue();

      check.close();
      slow.loop().close();
      fulcrum.answer.countDown();

      assertThat(fulcrum.answered.await(10, TimeUnit.SECONDS)).isTrue();
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
          .until(() -> new SettingStore(h.db).keysStartingWith("ha.token_accepted.").isEmpty());
    }
  }

  /**
   * review-s12e F3: a stop's removal of the entry waited on a database that vanished as long as any
   * write does (the socket timeout, 2 min), and systemd kills a stop after 60 s.
   */
  @Test
  @RequiresPostgres
  void aStopWhileTheDatabaseDoesNotAnswerLeavesTheEntryToAgeOutWithinTheLeasesBound() {
    Duration ttl = Duration.ofSeconds(4);
    StoreLocation.Postgres pg = (StoreLocation.Postgres) TestStore.freshPostgres().location();
    try (BlackholeProxy proxy = BlackholeProxy.toServerOf(pg.url());
        Database viaProxy = Database.open(new StoreLocation.Postgres(proxy.in(pg.url()), pg.username(), pg.password()))) {
      AcceptedTokens accepted = new AcceptedTokens(viaProxy, DatabaseClock.postgres(), "standby", OwnTokenCheck.fresh(ttl));
      OwnTokenCheck stopping = new OwnTokenCheck(new OwnTokenRefusal(), accepted, new Leadership(ttl), h.loop(),
          h.wiring().reconciler(), ttl).start(true);
      proxy.blackhole();

      assertTimeoutPreemptively(ttl, () -> stopping.close());
      // the harness's loop says its pause at ERROR
      assertThat(logs.events()).filteredOn(e -> e.getLoggerName().equals(OwnTokenCheck.class.getName())
              && e.getLevel().isGreaterOrEqual(Level.WARN)).singleElement()
          .extracting(ILoggingEvent::getFormattedMessage).asString()
          .contains("until that record ages out (within 16s)");
    }
  }

  /**
   * Fulcrum on loopback answering its first request 200 with {@code body} once {@link #answer} is
   * counted down, status line, headers and body in one write: the read that was waiting gets it all,
   * and the client reads nothing more, so an interrupt meanwhile does not fail the call.
   */
  private static final class HeldAnswer implements AutoCloseable {
    final CountDownLatch asked = new CountDownLatch(1);
    final CountDownLatch answer = new CountDownLatch(1);
    final CountDownLatch answered = new CountDownLatch(1);
    private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());

    HeldAnswer(String body) throws IOException {
      byte[] json = body.getBytes(StandardCharsets.UTF_8);
      byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + json.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      byte[] whole = Arrays.copyOf(head, head.length + json.length);
      System.arraycopy(json, 0, whole, head.length, json.length);
      Thread t = new Thread(() -> {
        try (Socket s = listener.accept()) {
          byte[] request = new byte[8192];
          int read = 0;
          while (!new String(request, 0, read, StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
            int n = s.getInputStream().read(request, read, request.length - read);
            if (n < 0) {
              return;
            }
            read += n;
          }
          asked.countDown();
          answer.await();
          s.getOutputStream().write(whole);
          s.getOutputStream().flush();
          answered.countDown();
          s.getInputStream().read(); // until the client closes: the answer is read before the socket goes
        } catch (IOException | InterruptedException e) {
          // closed by the test
        }
      }, "held-fulcrum");
      t.setDaemon(true);
      t.start();
    }

    String url() {
      return "http://" + listener.getInetAddress().getHostAddress() + ":" + listener.getLocalPort() + "/";
    }

    @Override
    public void close() throws IOException {
      answer.countDown();
      listener.close();
    }
  }
}
