package com.fulcrumscim.testing;

import com.fulcrumscim.db.ClaimFence;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.reconcile.Pause;
import com.fulcrumscim.reconcile.ReconcileLoop;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.reconcile.RemovalGuard;
import com.fulcrumscim.reconcile.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The reconciler end to end on one machine: the real emulator over loopback HTTP, the real
 * HttpFulcrumClient, real SQLite in a temp dir, and a settable clock that the client's waits move
 * instead of sleeping (the emulator's rate-limit window runs on the same clock). Tests play Okta through {@link #okta} and drive cycles by hand.
 */
public final class ReconcileHarness implements AutoCloseable {
  public static final String TOKEN = "emulator-token-for-tests";
  /** guard.window's default. */
  public static final Duration GUARD_WINDOW = Duration.ofHours(1);

  /** Knobs a test may turn; the defaults match config-defaults.yml. */
  public record Options(Seed seed, ReconcileSettings settings, int guardPercent, int guardMinimum, int clientCallsPerHour,
      int emulatorCallsPerHour, int parallelism, int batchSize, boolean overScim) {
    public static Options defaults() {
      return new Options(Seed.load(Path.of("src/test/resources/reconcile/unmanaged-seed.json")),
          new ReconcileSettings(false, null, true, Map.of(), "", false, Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(70)),
          10, 20, 3_600_000, 0, 4, 100, true);
    }

    public Options withSettings(ReconcileSettings s) {
      return new Options(seed, s, guardPercent, guardMinimum, clientCallsPerHour, emulatorCallsPerHour, parallelism, batchSize, overScim);
    }

    public Options withSeed(Seed s) {
      return new Options(s, settings, guardPercent, guardMinimum, clientCallsPerHour, emulatorCallsPerHour, parallelism, batchSize, overScim);
    }

    public Options withGuard(int percent, int minimum) {
      return new Options(seed, settings, percent, minimum, clientCallsPerHour, emulatorCallsPerHour, parallelism, batchSize, overScim);
    }

    public Options withCallsPerHour(int client, int emulator) {
      return new Options(seed, settings, guardPercent, guardMinimum, client, emulator, parallelism, batchSize, overScim);
    }

    /** Okta's changes go straight into SQLite instead of through the SCIM receiver (benchmarks). */
    public Options withoutScim() {
      return new Options(seed, settings, guardPercent, guardMinimum, clientCallsPerHour, emulatorCallsPerHour, parallelism, batchSize, false);
    }

    public Options withParallelism(int p) {
      return new Options(seed, settings, guardPercent, guardMinimum, clientCallsPerHour, emulatorCallsPerHour, p, batchSize, overScim);
    }

    public Options withBatchSize(int b) {
      return new Options(seed, settings, guardPercent, guardMinimum, clientCallsPerHour, emulatorCallsPerHour, parallelism, b, overScim);
    }

  }

  public final SettableClock clock = new SettableClock();
  public final FulcrumEmulator fulcrum;
  public final HttpFulcrumClient http;
  public final Database db;
  public final WorkQueue queue;
  public final Okta okta;
  private final ScimTestServer receiver;
  public final Pause pause;
  public final RemovalGuard guard;
  private Options options;
  private ReconcileWiring wiring;

  public ReconcileHarness(Path dir, Options options) {
    this(dir, options, TestStore.sqlite(dir.resolve("bridge.db")));
  }

  /** On {@code store}: a SQLite file, or a PostgreSQL database (the ...OnPostgresTest suites). */
  public ReconcileHarness(Path dir, Options options, TestStore store) {
    this.options = options;
    this.fulcrum = FulcrumEmulator.builder().token(TOKEN).seed(options.seed()).callsPerHour(options.emulatorCallsPerHour())
        .clock(clock).random(new Random(7)).build().start("127.0.0.1", 0);
    FulcrumSettings settings = new FulcrumSettings(fulcrum.baseUrl(), new com.fulcrumscim.fulcrum.ApiToken(TOKEN),
        options.clientCallsPerHour(), Duration.ofSeconds(5), Duration.ofSeconds(5), FulcrumSettings.MAX_PAGE_SIZE, 3,
        Duration.ofMillis(500), Duration.ofSeconds(30));
    Sleeper sleeper = clock::tick;
    this.http = new HttpFulcrumClient(settings, new SimpleMeterRegistry(), clock, sleeper, FulcrumCallListener.NONE);
    // The receiver opens the same store, as the CLI and the daemon share it.
    this.receiver = options.overScim() ? ScimTestServer.start(store, "", clock, com.fulcrumscim.app.Bridge.Mode.RECEIVER_ONLY) : null;
    this.db = Database.open(store.location());
    this.queue = new WorkQueue(db, clock);
    this.okta = receiver != null ? new ScimOkta(receiver.http()) : new DesiredFixture(db, queue, clock);
    this.pause = new Pause(db, queue, clock);
    this.guard = new RemovalGuard(db, clock, options.guardPercent(), options.guardMinimum(), GUARD_WINDOW);
    this.wiring = newWiring(http);
  }

  /**
   * A reconciler and loop with fresh caches, as a new process (or a second writer on the same
   * database) has them, wired as the daemon wires its own. The caller closes its loop.
   */
  public ReconcileWiring newWiring(FulcrumClient client) {
    return newWiring(client, kind -> {});
  }

  /** As {@link #newWiring(FulcrumClient)}, with {@code outcomes} hearing every finished reconcile. */
  public ReconcileWiring newWiring(FulcrumClient client, ReconcileLoop.Listener outcomes) {
    ReconcileWiring.Knobs knobs = new ReconcileWiring.Knobs(options.settings(), options.guardPercent(), options.guardMinimum(), GUARD_WINDOW,
        new RetryPolicy(Duration.ofHours(24), Duration.ofSeconds(5), Duration.ofMinutes(15), new Random(11)),
        options.batchSize(), options.parallelism());
    // the only writer, as a process holding the SQLite file's lock is
    return ReconcileWiring.build(knobs, client, db, clock, ClaimFence.NONE, outcomes);
  }

  /** A loop over a fresh Reconciler (empty caches), as after a restart. */
  public ReconcileLoop newLoop(FulcrumClient client) {
    return newWiring(client).loop();
  }

  /** Swaps in a fresh process's loop (the old one is closed). */
  public void restart(FulcrumClient client) {
    restart(client, kind -> {});
  }

  /** As {@link #restart(FulcrumClient)}, with {@code outcomes} hearing every finished reconcile. */
  public void restart(FulcrumClient client, ReconcileLoop.Listener outcomes) {
    wiring.loop().close();
    queue.rescue(ClaimFence.NONE);
    wiring = newWiring(client, outcomes);
  }

  /** SCIM as Okta sends it, to the receiver the harness runs ({@link Options#overScim}), for bodies {@link #okta} has no verb for. */
  public ScimHttp scim() {
    if (receiver == null) {
      throw new IllegalStateException("this harness writes Okta's changes straight into the store: no SCIM receiver");
    }
    return receiver.http();
  }

  public Options options() {
    return options;
  }

  public ReconcileWiring wiring() {
    return wiring;
  }

  /** Restarts with edited settings, as after changing config.yml and restarting the daemon. */
  public void restart(ReconcileSettings settings) {
    options = options.withSettings(settings);
    restart(http);
  }

  public ReconcileLoop loop() {
    return wiring.loop();
  }

  public ReconcileLoop.Cycle runOnce() {
    return loop().runOnce();
  }

  /** Single-entity reads the current reconciler made to confirm plans or removals. */
  public long rereads() {
    return wiring.readSide().rereads();
  }

  /**
   * Runs cycles, moving the clock to the next due row, until nothing is due any more. Fails when
   * that takes more than {@code maxCycles} (a paused or stuck reconciler).
   */
  public int settle(int maxCycles) {
    for (int cycles = 1; cycles <= maxCycles; cycles++) {
      if (!step()) {
        return cycles;
      }
    }
    throw new AssertionError("the reconciler did not settle in " + maxCycles + " cycles: "
        + queue.list(null, 20));
  }

  /**
   * One step of {@link #settle}: a cycle (after a skipped one the clock moves 10 s, the default
   * interval), or, when none was due, the clock moves to the next due row. False when nothing is due.
   */
  public boolean step() {
    ReconcileLoop.Cycle cycle = loop().runOnce();
    if (cycle.skipped() != null) {
      clock.tick(Duration.ofSeconds(10));
      return true;
    }
    if (cycle.claimed() > 0) {
      return true;
    }
    List<Instant> due = queue.list(null, Integer.MAX_VALUE).stream()
        .filter(w -> w.state() == WorkState.PENDING || w.state() == WorkState.RETRYING)
        .map(WorkItem::nextAttemptAt).sorted(Comparator.naturalOrder()).toList();
    if (due.isEmpty()) {
      return false;
    }
    if (due.get(0).isAfter(clock.instant())) {
      clock.set(due.get(0));
    }
    return true;
  }

  public int settle() {
    return settle(200);
  }

  /**
   * The clock moves past the wait a group's change that takes no access away has for Okta's next
   * chunk ({@link WorkQueue#GROUP_SETTLE}): such a change is due after it, as in the daemon.
   */
  public void groupChangesSettle() {
    clock.tick(WorkQueue.GROUP_SETTLE);
  }

  public WorkItem row(ResourceKey key) {
    return queue.get(key).orElseThrow();
  }

  public long calls() {
    return fulcrum.calls().total();
  }

  @Override
  public void close() {
    wiring.loop().close();
    http.close();
    fulcrum.close();
    if (receiver != null) {
      receiver.close();
    }
    db.close();
  }
}
