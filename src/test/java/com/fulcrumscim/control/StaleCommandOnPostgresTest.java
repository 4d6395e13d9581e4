package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * review-s4 F2: an operator command working in-process (resync with no daemon) whose writer lease
 * a daemon took over (the command was paused or stalled past the lease's life) claims no work: a
 * claim of its would hand the daemon's RUNNING rows back as orphans and take them, and the daemon
 * would then claim them a second time while its first worker still applied them. The command's
 * reconciler is wired as {@code fulcrum-scim resync} wires it, on a PostgreSQL two processes share.
 */
@RequiresPostgres
class StaleCommandOnPostgresTest {
  static final Duration TTL = Duration.ofSeconds(3);
  final Clock clock = Clock.systemUTC();
  final ResourceKey leaver = ResourceKey.user("u-leaver");
  Database commandDb;
  Database daemonDb;
  FulcrumEmulator fulcrum;
  HttpFulcrumClient client;
  CommandLease command;
  WriterLease daemon;
  WorkQueue daemonQueue;

  @BeforeEach
  void open() {
    StoreLocation where = TestStore.freshPostgres().location();
    commandDb = Database.open(where);
    daemonDb = Database.open(where);
    fulcrum = FulcrumEmulator.builder().callsPerHour(0).build().start("127.0.0.1", 0);
    command = CommandLease.take(new WriterLease(commandDb, DatabaseClock.of(commandDb, clock), WriterLease.Role.COMMAND, TTL))
        .orElseThrow();
    client = new HttpFulcrumClient(FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(), 3_600_000, Duration.ofSeconds(5),
        Duration.ofSeconds(5)), new SimpleMeterRegistry(), clock, Sleeper.REAL, FulcrumCallListener.NONE, command.fence());
    daemon = new WriterLease(daemonDb, DatabaseClock.of(daemonDb, clock), WriterLease.Role.DAEMON, TTL);
    daemonQueue = new WorkQueue(daemonDb, clock, daemon.fence());
  }

  @AfterEach
  void close() {
    command.close();
    client.close();
    fulcrum.close();
    daemonDb.close();
    commandDb.close();
  }

  @Test
  void aCommandWhoseLeaseADaemonTookOverClaimsNoneOfTheRowsTheDaemonApplies() {
    ReconcileWiring commands = ReconcileWiring.configured(ConfigLoader.fromSystemEnvironment().defaults(), client, commandDb,
        clock, command.claims(), kind -> {});
    try {
      daemonTakesTheLeaseOver();
      List<WorkItem> applying = daemonClaimsADeactivation();

      assertThat(commands.loop().runOnce().claimed()).as("the command's reconcile cycle, resumed").isZero();

      daemonDb.write(c -> daemonQueue.stillClaimed(applying.get(0)).run(c)); // no ClaimLost: the daemon keeps it
      assertThat(daemonQueue.claim(10)).as("the daemon's next claim, its first worker still applying").isEmpty();
    } finally {
      commands.loop().close();
    }
  }

  /**
   * review-s5 F3: the command rescues the rows a dead writer left RUNNING right after taking its
   * lease; stalled in between (Ctrl-Z) while a daemon took over and claimed, its rescue would hand
   * the daemon's RUNNING row back, and the daemon would claim it again while its first worker applies it.
   */
  @Test
  void aCommandThatStalledBetweenTakingItsLeaseAndItsRescueHandsBackNoneOfTheRowsTheDaemonApplies() {
    daemonTakesTheLeaseOver();
    List<WorkItem> applying = daemonClaimsADeactivation();

    int handedBack = new WorkQueue(commandDb, clock).rescue(command.claims()); // as CommandChannel.perform, resumed

    assertThat(handedBack).as("the daemon's RUNNING rows the command's rescue handed back").isZero();
    daemonDb.write(c -> daemonQueue.stillClaimed(applying.get(0)).run(c)); // no ClaimLost: the daemon keeps it
    assertThat(daemonQueue.claim(10)).as("the daemon's next claim, its first worker still applying").isEmpty();
  }

  @Test
  void aCommandHearsThatADaemonTookItsLeaseOver() throws Exception {
    CountDownLatch lost = new CountDownLatch(1);
    command.whenLost(lost::countDown);

    daemonTakesTheLeaseOver();

    assertThat(lost.await(TTL.toMillis() * 2, TimeUnit.MILLISECONDS)).as("told within a renewal").isTrue();
    boolean claims = commandDb.write(c -> command.claims().holds(c));
    assertThat(claims).as("its claims' fence").isFalse();
  }

  @Test
  void aStopAskedForOnceTheLeaseIsLostRunsAtOnce() {
    daemonTakesTheLeaseOver();
    CountDownLatch lost = new CountDownLatch(1);
    command.whenLost(lost::countDown); // first, so this one comes after the keeper heard it
    await().atMost(Duration.ofSeconds(10)).until(() -> lost.getCount() == 0);

    boolean[] ran = {false};
    command.whenLost(() -> ran[0] = true);

    assertThat(ran[0]).isTrue();
  }

  /** The command stops (Ctrl-Z) past its lease, and a standby daemon takes it over. */
  private void daemonTakesTheLeaseOver() {
    // the command's keeper renews on its own thread: its row lapses as a stalled command's would,
    // until the daemon's take-over lands before a renewal
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      commandDb.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET expires_at = 0"));
      return daemon.tryHold();
    });
    daemonQueue.rescue(daemon.fence());
  }

  /** Okta deactivates someone; a daemon worker applies it now. */
  private List<WorkItem> daemonClaimsADeactivation() {
    daemonDb.write(c -> {
      daemonQueue.enqueue(c, leaver, true);
      return null;
    });
    List<WorkItem> claimed = daemonQueue.claim(10);
    assertThat(claimed).extracting(WorkItem::key).containsExactly(leaver);
    return claimed;
  }
}
