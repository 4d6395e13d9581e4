package com.fulcrumscim.demo;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
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
 * The whole daemon ({@link Bridge}) in this process for the demo: {@code fulcrum.base_url: embedded}
 * (the demo org), the SCIM endpoint on an ephemeral loopback port, a temporary SQLite file. The demo
 * reads Fulcrum through the API like anyone else, and watches the work table to know when the
 * reconciler has caught up.
 */
final class DemoRig implements AutoCloseable {
  private static final Set<WorkState> OPEN = EnumSet.of(WorkState.PENDING, WorkState.RUNNING, WorkState.RETRYING);
  private static final Duration POLL = Duration.ofMillis(50);

  final Bridge bridge;
  final FulcrumEmulator fulcrum;
  final HttpFulcrumClient client;
  final Database db;
  final WorkQueue queue;
  final String scimToken;
  private final Clock clock = Clock.systemUTC();

  DemoRig(Path dir, boolean adoptExisting) {
    SecureRandom random = new SecureRandom();
    this.scimToken = token(random);
    BridgeConfig config = ephemeralPort(new ConfigLoader(name -> null).parse("demo", """
        storage:
          path: %s
        fulcrum:
          base_url: embedded
          calls_per_hour: 3600000
        reconcile:
          interval: 200ms
        users:
          adopt_existing: %s
        logging:
          level: WARN
        """.formatted(dir.resolve("demo.db"), adoptExisting)));
    this.bridge = new Bridge(config, name -> name.equals("FULCRUM_SCIM_TOKEN") ? scimToken : null, clock, random).start();
    this.fulcrum = bridge.emulator().orElseThrow();
    this.db = Database.open(config.storage().path());
    this.queue = new WorkQueue(db, clock);
    BridgeConfig.Fulcrum f = config.fulcrum();
    this.client = new HttpFulcrumClient(FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(), f.callsPerHour(),
        f.connectTimeout(), f.readTimeout()), new SimpleMeterRegistry(), clock, Sleeper.REAL, FulcrumCallListener.NONE);
  }

  String scimBaseUrl() {
    return bridge.scimBaseUrl();
  }

  /** Waits until no work row is pending, running or retrying: Fulcrum is as Okta wants, or a row says why not. */
  void awaitConverged(Duration max) throws InterruptedException {
    Instant deadline = clock.instant().plus(max);
    while (true) {
      List<WorkItem> open = queue.list(null, Integer.MAX_VALUE).stream().filter(w -> OPEN.contains(w.state())).toList();
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
    client.close();
    db.close();
    bridge.stop();
  }

  /** Config validation refuses port 0, which is exactly what a demo next to a running bridge needs. */
  private static BridgeConfig ephemeralPort(BridgeConfig c) {
    BridgeConfig.Server s = c.server();
    return new BridgeConfig(s.withPorts(0, 0), c.storage(), c.scim(),
        c.fulcrum(), c.reconcile(), c.users(), c.roles(), c.groups(), c.guard(), c.resync(), c.logging(), c.retention(), c.ha());
  }

  private static String token(SecureRandom random) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return "demo-" + HexFormat.of().formatHex(bytes);
  }
}
