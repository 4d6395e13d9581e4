package com.fulcrumscim.demo;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.reconcile.ReconcilerService;
import com.fulcrumscim.resync.ReconcilePath;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The whole bridge in this process for the demo: the emulated Fulcrum (demo org), the SCIM
 * receiver on an ephemeral loopback port, and the reconciler ticking on the same temporary SQLite
 * file. The daemon's {@code app.Bridge} wiring replaces the hand-made reconciler part once it runs
 * the reconciler itself.
 */
final class DemoRig implements AutoCloseable {
  private static final Set<WorkState> OPEN = EnumSet.of(WorkState.PENDING, WorkState.RUNNING, WorkState.RETRYING);
  private static final Duration POLL = Duration.ofMillis(50);

  final FulcrumEmulator fulcrum;
  final HttpFulcrumClient client;
  final Bridge bridge;
  final Database db;
  final String scimToken;
  private final ReconcilePath path;
  private final ReconcilerService reconciler;
  private final Clock clock = Clock.systemUTC();

  DemoRig(Path dir, boolean adoptExisting) {
    SecureRandom random = new SecureRandom();
    this.scimToken = token(random);
    this.fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).callsPerHour(0).build().start("127.0.0.1", 0);
    BridgeConfig config = ephemeralPort(new ConfigLoader(name -> null).parse("demo", """
        storage:
          path: %s
        fulcrum:
          base_url: %s
          api_token: %s
          calls_per_hour: 3600000
        reconcile:
          interval: 200ms
        users:
          adopt_existing: %s
        """.formatted(dir.resolve("demo.db"), fulcrum.baseUrl(), fulcrum.token(), adoptExisting)));
    this.bridge = new Bridge(config, name -> name.equals("FULCRUM_SCIM_TOKEN") ? scimToken : null, clock, random).start();
    this.db = Database.open(config.storage().path());
    this.client = HttpFulcrumClient.create(config.fulcrum(), fulcrum.baseUrl(), new SimpleMeterRegistry());
    this.path = ReconcilePath.standalone(config, client, db, clock);
    this.reconciler = new ReconcilerService(path.loop(), config.reconcile().interval());
    reconciler.start();
  }

  String scimBaseUrl() {
    return bridge.scimBaseUrl();
  }

  WorkQueue queue() {
    return path.queue();
  }

  /** Waits until no work row is pending, running or retrying: Fulcrum is as Okta wants, or a row says why not. */
  void awaitConverged(Duration max) throws InterruptedException {
    Instant deadline = clock.instant().plus(max);
    while (true) {
      List<WorkItem> open = path.queue().list(null, Integer.MAX_VALUE).stream().filter(w -> OPEN.contains(w.state())).toList();
      if (open.isEmpty()) {
        return;
      }
      if (clock.instant().isAfter(deadline)) {
        throw new IllegalStateException("the reconciler did not converge within " + max.toSeconds() + " s: " + open);
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  @Override
  public void close() {
    reconciler.stop();
    bridge.stop();
    client.close();
    db.close();
    fulcrum.close();
  }

  /** Config validation refuses port 0, which is exactly what a demo next to a running bridge needs. */
  private static BridgeConfig ephemeralPort(BridgeConfig c) {
    BridgeConfig.Server s = c.server();
    return new BridgeConfig(new BridgeConfig.Server(s.host(), 0, 0, s.maxBodyBytes(), s.tls()), c.storage(), c.scim(),
        c.fulcrum(), c.reconcile(), c.users(), c.roles(), c.groups(), c.guard(), c.resync(), c.logging());
  }

  private static String token(SecureRandom random) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return "demo-" + HexFormat.of().formatHex(bytes);
  }
}
