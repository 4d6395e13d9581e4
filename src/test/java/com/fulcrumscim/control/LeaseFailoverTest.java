package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes' lease keepers on one database, each with a Fulcrum client fenced by its own
 * {@link Leadership}, in real time with a 3 s lease: the leader stalls (stops renewing without
 * giving the lease up, as a frozen or cut-off process does), the standby takes over, and the
 * stalled one never writes beside it.
 */
class LeaseFailoverTest {
  static final Duration TTL = Duration.ofSeconds(3);

  @TempDir Path dir;
  Database db;
  FulcrumEmulator fulcrum;
  Node a;
  Node b;

  final class Node implements AutoCloseable {
    final Leadership leadership = new Leadership(TTL);
    final AtomicInteger held = new AtomicInteger();
    final AtomicInteger lost = new AtomicInteger();
    final LeaseKeeper keeper = new LeaseKeeper(
        new WriterLease(db, DatabaseClock.local(Clock.systemUTC()), WriterLease.Role.DAEMON, TTL), leadership,
        held::incrementAndGet, lost::incrementAndGet);
    final HttpFulcrumClient client = new HttpFulcrumClient(FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(),
        3_600_000, Duration.ofSeconds(5), Duration.ofSeconds(5)), new SimpleMeterRegistry(), Clock.systemUTC(),
        Sleeper.REAL, FulcrumCallListener.NONE, leadership);

    @Override
    public void close() {
      keeper.halt();
      client.close();
    }
  }

  @BeforeEach
  void start() {
    db = Database.open(dir.resolve("bridge.db"));
    fulcrum = FulcrumEmulator.builder().callsPerHour(0).build().start("127.0.0.1", 0);
    a = new Node();
    a.keeper.start();
    await().atMost(Duration.ofSeconds(5)).until(a.leadership::leading);
    b = new Node();
    b.keeper.start();
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    fulcrum.close();
    db.close();
  }

  @Test
  void onlyOneOfTwoNodesLeads() throws Exception {
    Thread.sleep(LeaseKeeper.every(TTL).toMillis() * 3);
    assertThat(a.leadership.leading()).isTrue();
    assertThat(b.leadership.leading()).isFalse();
    assertThat(b.held.get()).isZero();
  }

  @Test
  void whenTheLeaderStallsTheStandbyTakesOverWithinTheLeasePlusOneRenewInterval() {
    long stalled = System.nanoTime();
    a.keeper.halt();

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(b.leadership::leading);
    Duration takeover = Duration.ofNanos(System.nanoTime() - stalled);

    assertThat(takeover).isLessThanOrEqualTo(TTL.plus(LeaseKeeper.every(TTL)).plusMillis(500));
    assertThat(b.held.get()).isEqualTo(1);
  }

  @Test
  void aStalledLeaderStopsWritingBeforeTheStandbyCanTakeOverAndNeverWritesBesideIt() throws Exception {
    a.client.createGroup("before the stall", "");
    a.keeper.halt();
    Thread.sleep(TTL.dividedBy(2).toMillis());
    long writesBefore = fulcrum.calls().total();

    assertThatThrownBy(() -> a.client.createGroup("fenced", "")).as("half a lease after its last renewal")
        .isInstanceOf(FulcrumException.Unavailable.class).hasMessageContaining("not renewed");
    assertThat(b.leadership.leading()).as("the standby cannot have taken over yet").isFalse();

    await().atMost(Duration.ofSeconds(10)).until(b.leadership::leading);
    assertThatThrownBy(() -> a.client.createGroup("beside the new leader", "")).isInstanceOf(FulcrumException.Unavailable.class);
    assertThat(fulcrum.calls().total()).as("nothing the stalled node tried reached Fulcrum").isEqualTo(writesBefore);
    b.client.createGroup("by the new leader", "");
    assertThat(fulcrum.groups()).extracting(g -> g.name()).contains("before the stall", "by the new leader")
        .doesNotContain("fenced", "beside the new leader");
  }

  @Test
  void aLeaderWhoseLeaseWasTakenBecomesAStandbyAndCanLeadAgain() throws Exception {
    // as if a stalled leader's lease had expired and another node had taken it
    db.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET holder = 'another node', expires_at = "
        + (System.currentTimeMillis() + TTL.toMillis())));
    await().atMost(Duration.ofSeconds(5)).until(() -> a.lost.get() == 1);
    assertThat(a.leadership.leading()).isFalse();

    // that node dies: its lease expires and one of the two takes over (whichever tries first)
    await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership.leading() || b.leadership.leading());
    assertThat(a.leadership.leading() && b.leadership.leading()).isFalse();
  }
}
