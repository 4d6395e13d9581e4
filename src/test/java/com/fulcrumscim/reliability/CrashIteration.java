package com.fulcrumscim.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.DesiredVsActual;
import com.fulcrumscim.testing.ScimHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One seeded crash iteration: the daemon as a child JVM reconciling into an emulator in this JVM
 * (so Fulcrum's state outlives the kill), Okta-like writers, and two SIGKILLs: one while the
 * writers write, one after they stop while applies are in flight (added latency, some answers
 * lost after the change was applied). Then a third start must converge: every acknowledged write
 * present, Fulcrum exactly as desired, unmanaged entities byte-identical.
 */
final class CrashIteration {
  static final String SCIM_TOKEN = "crash-suite-scim-token-5c9e2a7f1b3d8046";
  static final String FULCRUM_TOKEN = "crash-suite-fulcrum-token";
  static final Set<String> UNMANAGED = Set.of("m-taken", "m-bystander", "g-crew");
  static final int WRITERS = 3;

  /** What one iteration saw, for the report. */
  record Figures(int acknowledged, int uncertain, long callsAtFirstKill, long callsAtSecondKill, long callsTotal,
      long lostAnswers) {}

  private final Path dir;
  private final long seed;
  private final Random random;

  CrashIteration(Path dir, long seed) {
    this.dir = dir;
    this.seed = seed;
    this.random = new Random(seed);
  }

  Figures run() throws Exception {
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().token(FULCRUM_TOKEN)
        .seed(Seed.load(Path.of("src/test/resources/reconcile/unmanaged-seed.json")))
        .callsPerHour(0).random(new Random(seed)).build().start("127.0.0.1", 0)) {
      List<String> pinned = new ArrayList<>(UNMANAGED);
      pinned.add(fulcrum.ownerMembershipId());
      String unmanagedBefore = fulcrum.snapshotJson(pinned);
      fulcrum.faults().latency(Duration.ofMillis(5 + random.nextInt(30))).lostResponseShare(0.1);
      Path config = writeConfig(fulcrum.baseUrl());
      List<OktaWriter> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        writers.add(new OktaWriter("s" + seed + "w" + w, new Random(seed * 31 + w)));
      }

      // 1. Killed while the writers write (and the reconciler applies what they wrote so far).
      BridgeProcess first = BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", SCIM_TOKEN));
      ScimHttp http = new ScimHttp(first.endpoint(), "Bearer " + SCIM_TOKEN);
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> threads = writers.stream().map(w -> start(() -> w.write(http, Integer.MAX_VALUE, stop))).toList();
      Thread.sleep(200 + random.nextInt(1500));
      first.kill();
      long callsAtFirstKill = fulcrum.calls().total();
      stop.set(true);
      join(threads);

      // 2. Restarted: every acknowledged write is there; a short burst more, then killed mid-apply.
      BridgeProcess second = BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", SCIM_TOKEN));
      ScimHttp http2 = new ScimHttp(second.endpoint(), "Bearer " + SCIM_TOKEN);
      writers.forEach(w -> w.verifyAndResync(http2));
      AtomicBoolean never = new AtomicBoolean();
      join(writers.stream().map(w -> start(() -> w.write(http2, 10 + random.nextInt(10), never))).toList());
      long target = fulcrum.calls().total() + 1 + random.nextInt(25);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (fulcrum.calls().total() < target && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      second.kill();
      long callsAtSecondKill = fulcrum.calls().total();

      // 3. Restarted with Fulcrum healthy again: it converges.
      fulcrum.faults().clear();
      try (BridgeProcess third = BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", SCIM_TOKEN));
          Database db = Database.open(dir.resolve("bridge.db"))) {
        ScimHttp http3 = new ScimHttp(third.endpoint(), "Bearer " + SCIM_TOKEN);
        writers.forEach(w -> w.verifyAndResync(http3));
        awaitSettled(db);
        assertThat(DesiredVsActual.differences(db, fulcrum, UNMANAGED)).as("seed %d: Fulcrum against SQLite", seed).isEmpty();
        assertThat(fulcrum.snapshotJson(pinned)).as("seed %d: unmanaged entities", seed).isEqualTo(unmanagedBefore);
      }
      long lost = fulcrum.calls().all().stream().filter(c -> c.status() == com.fulcrumscim.fulcrum.emulator.CallCounter.DROPPED)
          .mapToLong(c -> c.count()).sum();
      return new Figures(writers.stream().mapToInt(OktaWriter::acknowledged).sum(),
          writers.stream().mapToInt(OktaWriter::uncertain).sum(), callsAtFirstKill, callsAtSecondKill,
          fulcrum.calls().total(), lost);
    }
  }

  /**
   * The shortest writer lease: a killed daemon's lease must run out before the next start takes
   * over, which at the default 15 s was most of each restart. Timeouts for an emulator on loopback:
   * a create in doubt when its user is deactivated is waited for connect_timeout plus twice
   * read_timeout (12 s here, 70 s by default), which some seeds otherwise spend.
   */
  private Path writeConfig(String fulcrumUrl) throws Exception {
    return BridgeProcess.writeConfig(dir, fulcrumUrl, FULCRUM_TOKEN, """
          calls_per_hour: 1000000
          connect_timeout: 2s
          read_timeout: 5s
        reconcile:
          interval: 1s
        guard:
          mass_removal_minimum: 100000
        ha:
          lease_ttl: 3s
        """);
  }

  /** Waits (up to two minutes) until no row is pending, running or retrying; then none may be dead or held. */
  static void awaitSettled(Database db) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    Map<String, Integer> unsettled = DesiredVsActual.unsettled(db);
    while (unsettled.keySet().stream().anyMatch(s -> !s.equals("DEAD") && !s.equals("HELD")) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      unsettled = DesiredVsActual.unsettled(db);
    }
    assertThat(unsettled).as("work rows not done").isEmpty();
  }

  private static Thread start(Runnable r) {
    Thread t = new Thread(r, "okta-writer");
    t.start();
    return t;
  }

  private static void join(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      t.join(60_000);
      assertThat(t.isAlive()).as("writer finished").isFalse();
    }
  }
}
