package com.fulcrumscim.bench;

import static com.fulcrumscim.testing.ScimHttp.q;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.reconcile.ManagedOrg;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.ScimTestServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver measured from outside (issue 12): {@code serve} as a child JVM with its own config,
 * SQLite file and embedded emulator, driven over loopback HTTP by 16 keep-alive connections, each
 * rate after a warm-up of its own that lasts until the server's JIT compilers are nearly idle (each
 * rate's report says how long it took and the compilers' share in the measured rounds). Every
 * bridge figure is a ratio to two measured in the same run: the HTTP floor (empty handlers on the
 * same Javalin/Jetty settings, {@link FloorServer}, also a child JVM) and SQLite's durable
 * single-row commit rate on the same disk. Next to each rate, the server's CPU time per request
 * (from /proc), and for some by thread. The POST phase is profiled with JFR. Writes
 * bench/results/scim.txt.
 */
@Tag("bench")
class ScimBench {
  static final int CLIENTS = 16;
  static final long WARM_UP_MS = 3_000;
  static final long RUN_MS = 4_000;
  /** A phase's warm-up ends once the server's JIT compilers use at most this share of its CPU over a window... */
  static final double MAX_COMPILING = 0.05;
  static final long WARM_WINDOW_MS = 3_000;
  /** ...or after this long, whatever their share (the report gives the share it ended at). */
  static final long MAX_WARM_MS = 60_000;
  /** Each rate is the best of this many runs: the machine is shared, and a neighbour's burst only lowers a run. */
  static final int ROUNDS = 2;
  static final int LARGE = 100_000;
  static final int SMALL = 1_000;
  /** The bridge as an operator runs it (bin/fulcrum-scim: the full JIT), in the heap the scale target allows. */
  static final List<String> JVM = List.of("-Xmx256m");
  static final String DEACTIVATE = """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":%s}}]}""";

  @TempDir Path dir;
  final BenchReport report = new BenchReport();
  final AtomicLong non2xx = new AtomicLong();
  /** The server process the rates are measured against (the floor, then each bridge). */
  long serverPid;

  @Test
  void receiverFromOutside() throws Exception {
    report.line("ScimBench (external: serve as a child JVM %s, %d keep-alive HTTP/1.1 connections)  %s  cores=%d  load %.1f",
        JVM, CLIENTS, java.time.Instant.now(), Runtime.getRuntime().availableProcessors(), load());
    seed(dir.resolve("small"), SMALL);
    seed(dir.resolve("large"), LARGE);

    double sqlite = sqliteDurableCommitsPerSecond(dir.resolve("raw.db"));
    Rate floorGet;
    Rate floorPost;
    Rate floorPatch;
    try (BridgeProcess floor = BridgeProcess.java(JVM, FloorServer.class.getName(), List.of(), Map.of())) {
      serverPid = floor.process().pid();
      BenchHttp http = client(floor.endpoint());
      floorGet = rate(i -> http.get("/Users?filter=" + q("userName eq \"x@example.com\"")));
      floorPost = rate(i -> http.post("/Users", user("floor-" + i + "@example.com")));
      floorPatch = rate(i -> http.patch("/Users/" + seedId(i % LARGE), DEACTIVATE.formatted(false)));
    }

    Rate small;
    try (BridgeProcess bridge = serve(dir.resolve("small"))) {
      serverPid = bridge.process().pid();
      BenchHttp http = client(bridge.endpoint());
      small = lookups(http, SMALL);
    }
    Rate large;
    Rate first;
    Rate deep;
    Rate posts;
    Rate patches;
    List<String> profile;
    try (BridgeProcess bridge = serve(dir.resolve("large"))) {
      serverPid = bridge.process().pid();
      BenchHttp http = client(bridge.endpoint());
      large = lookups(http, LARGE);
      first = rate(i -> http.get("/Users?count=100&startIndex=1"));
      deep = rate(i -> http.get("/Users?count=100&startIndex=99901"));
      assertThat(http.get("/Users?count=100&startIndex=99901").body()).contains("\"itemsPerPage\":100,");
      AtomicInteger created = new AtomicInteger();
      posts = rate(i -> http.post("/Users", user("bench-" + created.incrementAndGet() + "@example.com")));
      AtomicInteger patched = new AtomicInteger();
      patches = rate(i -> {
        int k = patched.getAndIncrement();
        return http.patch("/Users/" + seedId(k % LARGE), DEACTIVATE.formatted((k / LARGE) % 2 == 1));
      });
      // Profiled last, in a run of its own: the recording costs the JVM it records, and starting it
      // instruments JDK classes, which makes JDK 17 throw away compiled code (thousands of methods).
      JfrProfile jfr = new JfrProfile(bridge.process().pid(), dir.resolve("post.jfr"));
      jfr.start();
      rate(CLIENTS, RUN_MS, i -> http.post("/Users", user("bench-" + created.incrementAndGet() + "@example.com")));
      jfr.stop();
      profile = jfr.summary(12);
    }

    report.line("");
    report.line("sqlite durable single-row commits (WAL, synchronous=FULL, 1 thread, same disk): %.0f/s", sqlite);
    report.line("HTTP floor (empty handlers, same Javalin/Jetty settings): GET %.0f/s, POST %.0f/s, PATCH %.0f/s; "
        + "server CPU per request %.0f, %.0f, %.0f us", floorGet.perSecond(), floorPost.perSecond(), floorPatch.perSecond(),
        floorGet.serverMicros(), floorPost.serverMicros(), floorPatch.serverMicros());
    report.line("  warm-ups: GET %s; POST %s; PATCH %s", floorGet.warm(), floorPost.warm(), floorPatch.warm());
    report.line("%-44s %9s %9s %9s %9s  %-34s %s", "bridge", "per s", "x floor", "x sqlite", "cpu us", "warm-up", "target");
    row("POST /Users (name + email), durable", posts, floorPost, sqlite, ">= 0.5x floor, >= 1.0x sqlite");
    row("PATCH /Users/{id} (Okta deactivate), durable", patches, floorPatch, sqlite, "");
    row("userName eq, 1k users", small, floorGet, sqlite, ">= 0.7x floor");
    row("userName eq, 100k users", large, floorGet, sqlite, ">= 0.7x floor, flat");
    report.line("%-44s %9.2f", "  100k / 1k", large.perSecond() / small.perSecond());
    row("page of 100, startIndex 1 (100k users)", first, floorGet, sqlite, "");
    row("page of 100, startIndex 99,901", deep, floorGet, sqlite, "");
    report.line("%-44s %9.2f", "  deep / first", deep.perSecond() / first.perSecond());
    report.line("server CPU per request by thread: POST %s; PATCH %s; userName eq (100k) %s", posts.byThread(),
        patches.byThread(), large.byThread());
    report.line("non-2xx answers: %d", non2xx.get());
    report.line("");
    report.line("JFR profile of the POST phase (jcmd JFR.start settings=profile on the serve JVM):");
    profile.forEach(l -> report.line("%s", l));
    report.line("");
    report.line("load average at the end %.1f (other processes share these cores; compare ratios, not absolutes)", load());
    report.write("scim.txt");
    assertThat(non2xx.get()).as("non-2xx answers").isZero();
  }

  /**
   * A rate, the server's CPU time per request (user + system, from /proc) in the same round, and
   * how its phase warmed up; {@code byThread}: that CPU per request by kind of server thread.
   */
  record Rate(double perSecond, double serverMicros, Warm warm, String byThread) {}

  /**
   * A phase's warm-up: how long it ran, the compilers' share of the server's CPU in its last window,
   * and their share in each measured round after it.
   */
  record Warm(double seconds, double lastWindow, List<Double> rounds) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.0f s (jit %.0f%%), rounds jit %s", seconds, 100 * lastWindow,
          rounds.stream().map(s -> String.format(Locale.ROOT, "%.0f%%", 100 * s)).collect(Collectors.joining("/")));
    }
  }

  void row(String what, Rate rate, Rate floor, double sqlite, String target) {
    report.line("%-44s %9.0f %9.2f %9.2f %9.0f  %-34s %s", what, rate.perSecond(), rate.perSecond() / floor.perSecond(),
        rate.perSecond() / sqlite, rate.serverMicros(), rate.warm(), target);
  }

  Rate lookups(BenchHttp http, int users) throws Exception {
    return rate(i -> {
      BenchHttp.Response r = http.get("/Users?filter=" + q("userName eq \"SEED-"
          + ThreadLocalRandom.current().nextInt(users) + "@example.com\"") + "&startIndex=1&count=100");
      assertThat(r.body()).contains("\"totalResults\":1,");
      return r;
    });
  }

  BridgeProcess serve(Path home) throws Exception {
    Path config = BridgeProcess.writeConfig(home, "embedded", "\"\"", "");
    return BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", ScimTestServer.TOKEN), JVM);
  }

  static BenchHttp client(String endpoint) {
    return new BenchHttp(endpoint, "Bearer " + ScimTestServer.TOKEN);
  }

  static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /**
   * The best of {@link #ROUNDS} runs of {@code call} from {@link #CLIENTS} threads after the phase's
   * warm-up; non-2xx counted. The server's CPU per request is over the measured round: far steadier
   * than a rate on a shared machine, since another process's burst takes the server's time but not
   * its CPU.
   */
  Rate rate(IntFunction<BenchHttp.Response> call) throws Exception {
    AtomicLong calls = new AtomicLong();
    java.util.function.IntConsumer counted = i -> {
      calls.incrementAndGet();
      int status = call.apply(i).status();
      if (status < 200 || status > 299) {
        non2xx.incrementAndGet();
      }
    };
    long warmStart = System.nanoTime();
    double lastWindow = warmUp(counted);
    double warmSeconds = (System.nanoTime() - warmStart) / 1e9;
    double bestPerSecond = 0;
    double bestMicros = 0;
    String bestByThread = "";
    List<Double> compiling = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      long callsBefore = calls.get();
      long cpuBefore = cpuTicks(serverPid);
      Map<Long, ThreadCpu> threadsBefore = threadTicks(serverPid);
      double perSecond = timed(CLIENTS, RUN_MS, counted);
      Map<Long, ThreadCpu> threadsAfter = threadTicks(serverPid);
      long roundCalls = calls.get() - callsBefore;
      compiling.add(compilerShare(threadsBefore, threadsAfter));
      if (perSecond > bestPerSecond) {
        bestPerSecond = perSecond;
        bestMicros = micros(cpuTicks(serverPid) - cpuBefore, roundCalls);
        bestByThread = perCall(spent(threadsBefore, threadsAfter), roundCalls);
      }
    }
    return new Rate(bestPerSecond, bestMicros, new Warm(warmSeconds, lastWindow, compiling), bestByThread);
  }

  /**
   * Runs {@code call} in windows of {@link #WARM_WINDOW_MS} until the server's JIT compilers use at
   * most {@link #MAX_COMPILING} of its CPU in one, or for {@link #MAX_WARM_MS}: a fixed warm-up
   * measured compilation in the slower paths (30 s into PATCH's the compilers still took 43% of
   * the server's CPU). Returns their share in the last window.
   */
  double warmUp(java.util.function.IntConsumer call) throws Exception {
    long until = System.currentTimeMillis() + MAX_WARM_MS;
    double share;
    do {
      Map<Long, ThreadCpu> before = threadTicks(serverPid);
      timed(CLIENTS, WARM_WINDOW_MS, call);
      share = compilerShare(before, threadTicks(serverPid));
    } while (share > MAX_COMPILING && System.currentTimeMillis() < until);
    return share;
  }

  /**
   * The JIT compilers' share of the CPU the threads of a process used between two snapshots
   * (HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1"...: "C1 CompilerThre" in /proc).
   */
  static double compilerShare(Map<Long, ThreadCpu> before, Map<Long, ThreadCpu> after) {
    Map<String, Long> spent = spent(before, after);
    long all = spent.values().stream().mapToLong(Long::longValue).sum();
    long compilers = spent.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
        .mapToLong(Map.Entry::getValue).sum();
    return all == 0 ? 0 : (double) compilers / all;
  }

  /** Linux's USER_HZ: the unit of /proc's CPU times. */
  static final double CLOCK_TICKS = 100;

  /** utime + stime of process {@code pid}, in clock ticks. */
  static long cpuTicks(long pid) throws java.io.IOException {
    return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
  }

  /** utime + stime from a /proc stat line (the fields after the name, which may hold spaces). */
  private static long ticks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** A thread's name as Linux keeps it (its first 15 characters) and its utime + stime in clock ticks. */
  record ThreadCpu(String name, long ticks) {}

  /** Every thread of process {@code pid}, by thread id. */
  static Map<Long, ThreadCpu> threadTicks(long pid) throws java.io.IOException {
    Map<Long, ThreadCpu> out = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (java.io.IOException ended) {
          continue; // the thread ended since the listing
        }
        out.put(Long.parseLong(task.getFileName().toString()),
            new ThreadCpu(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ticks(stat)));
      }
    }
    return out;
  }

  /**
   * CPU ticks each kind of thread used between two snapshots, by thread id, summed by name without
   * its number ("reconcile-worker-3"); OkHttp's task threads take the name of the task they run.
   */
  static Map<String, Long> spent(Map<Long, ThreadCpu> before, Map<Long, ThreadCpu> after) {
    Map<String, Long> out = new TreeMap<>();
    after.forEach((tid, now) -> {
      ThreadCpu then = before.get(tid);
      String name = now.name().startsWith("OkHttp") ? "OkHttp" : now.name().replaceAll("[-# ]*\\d+$", "");
      out.merge(name, now.ticks() - (then == null ? 0 : then.ticks()), Long::sum);
    });
    return out;
  }

  /** "reconcile-worker 205 us, sqlite-writer 165 us, ...": threads that used at least 5 us a call, most first. */
  static String perCall(Map<String, Long> ticks, long calls) {
    return ticks.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), micros(e.getValue(), calls)))
        .filter(e -> e.getValue() >= 5)
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .map(e -> String.format(Locale.ROOT, "%s %.0f us", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", "));
  }

  static double micros(long ticks, long calls) {
    return ticks * (1e6 / ScimBench.CLOCK_TICKS) / Math.max(1, calls);
  }

  /** Calls per second of {@code call} from {@code clients} threads over {@code ms}, after a warm-up. */
  static double rate(int clients, long ms, java.util.function.IntConsumer call) throws Exception {
    timed(clients, WARM_UP_MS, call);
    return timed(clients, ms, call);
  }

  /** Calls per second of {@code call} from {@code clients} threads over {@code ms}. */
  static double timed(int clients, long ms, java.util.function.IntConsumer call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      long start = System.nanoTime();
      long done = runFor(pool, clients, ms, call);
      return done / ((System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  static long runFor(ExecutorService pool, int clients, long ms, java.util.function.IntConsumer call) throws Exception {
    long until = System.currentTimeMillis() + ms;
    List<Future<Integer>> futures = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      futures.add(pool.submit(() -> {
        int n = 0;
        while (System.currentTimeMillis() < until) {
          call.accept(n++);
        }
        return n;
      }));
    }
    long total = 0;
    for (Future<Integer> f : futures) {
      total += f.get();
    }
    return total;
  }

  /** The id of seeded user {@code i}: known without asking, so PATCH needs no lookup first. */
  static String seedId(int i) {
    return ManagedOrg.userId(i);
  }

  /** {@code count} users straight into {@code dir/bridge.db} in one transaction (not over HTTP). */
  static void seed(Path dir, int count) throws Exception {
    Files.createDirectories(dir);
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      ManagedOrg.writeUsers(db, count);
    }
  }

  /** SQLite alone: one-row autocommit inserts, with the pragmas the bridge uses. */
  static double sqliteDurableCommitsPerSecond(Path file) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode = WAL");
      s.execute("PRAGMA synchronous = FULL");
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
        long until = System.currentTimeMillis() + 3_000;
        long start = System.nanoTime();
        int n = 0;
        while (System.currentTimeMillis() < until) {
          ps.setString(1, "row " + n++);
          ps.executeUpdate();
        }
        return n / ((System.nanoTime() - start) / 1e9);
      }
    }
  }
}
