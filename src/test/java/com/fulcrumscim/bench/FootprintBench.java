package com.fulcrumscim.bench;

import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.reconcile.ManagedOrg;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.Packages;
import com.fulcrumscim.testing.ScimTestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged daemon's footprint and one organization's scale (issue 12): jar size, start to
 * ready ({@code /readyz} 200, from process launch), idle resident memory and heap high-water mark,
 * on an empty database and on 100k managed members in 1,000 groups; {@code resync --dry-run} over
 * that organization (calls, wall time, heap); the SQLite file size per 100k users. The bridge targets an emulator of the
 * bench's own (an embedded one would start empty and re-queue every user). Runs {@code java -Xmx256m -jar} on
 * target/fulcrum-scim.jar (bench/run packages it first), and the packaged command from the tarball,
 * which starts from a class-data archive; {@code -Dfootprint.compare=OTHER.jar}
 * measures another build alongside in the same run (before/after a change).
 * Writes bench/results/footprint.txt.
 */
@Tag("bench")
class FootprintBench {
  static final Path JAR = Path.of("target/fulcrum-scim.jar");
  static final int STARTS = 3;
  static final int MEMBERS = 100_000;
  static final int GROUPS = 1_000;
  static final int PER_GROUP = 100;
  static final Duration RESYNC_LIMIT = Duration.ofMinutes(5);
  static final Duration IDLE = Duration.ofSeconds(15);
  static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

  @TempDir Path dir;
  final BenchReport report = new BenchReport();
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void footprint() throws Exception {
    report.line("FootprintBench  %s  load %.1f", java.time.Instant.now(), ScimBench.load());
    List<Path> jars = new ArrayList<>(List.of(JAR));
    String compare = System.getProperty("footprint.compare", "");
    if (!compare.isBlank()) {
      jars.add(Path.of(compare));
    }
    ManagedOrg org = new ManagedOrg(MEMBERS, GROUPS, PER_GROUP);
    Path large = dir.resolve("large");
    try (Database db = Database.open(large.resolve("bridge.db"))) {
      org.writeBridgeSide(db);
    }
    report.line("SQLite file with %,d linked users and %,d groups of %d (no journal): %.1f MB, %.1f MB per 100k users",
        MEMBERS, GROUPS, PER_GROUP, Files.size(large.resolve("bridge.db")) / 1e6,
        Files.size(large.resolve("bridge.db")) / 1e6 * 100_000 / MEMBERS);
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().seed(org.fulcrumSide()).callsPerHour(0).build().start()) {
      report.line("%-38s %9s %12s %12s %12s %14s", "build / database", "jar MB", "ready ms", "idle RSS MB", "peak RSS MB",
          "heap peak MB");
      List<Launch> launches = new ArrayList<>(jars.stream().map(Launch::jar).toList());
      Path cache = dir.resolve("cache");
      Launch packaged = Launch.packaged(Packages.unpackTarball(Files.createDirectories(dir.resolve("tarball"))), cache);
      String firstStart = firstStart(packaged, cache, dir.resolve("first"), fulcrum);
      launches.add(packaged);
      for (Launch launch : launches) {
        int n = launches.indexOf(launch);
        measure(launch, "empty", dir.resolve("empty-" + n), fulcrum);
        Path copy = dir.resolve("large-" + n);
        Files.createDirectories(copy);
        Files.copy(large.resolve("bridge.db"), copy.resolve("bridge.db"));
        measure(launch, "100k members", copy, fulcrum);
      }
      resyncDryRun(large, fulcrum);
      report.line("%s", firstStart);
    }
    report.line("(ready: median of %d starts; RSS after %d s idle; heap peak: largest heap before a GC in -Xlog:gc)",
        STARTS, IDLE.toSeconds());
    report.write("footprint.txt");
  }

  /** {@code resync --dry-run} over the whole organization, in -Xmx256m: Fulcrum calls, wall time, heap peak. */
  private void resyncDryRun(Path home, FulcrumEmulator fulcrum) throws Exception {
    Path config = BridgeProcess.writeConfig(home, fulcrum.baseUrl(), fulcrum.token(), "  calls_per_hour: 1000000\n");
    Path gcLog = home.resolve("gc-resync.log");
    fulcrum.calls().reset(); // the report lists the resync's own calls by endpoint, not the starts' before it
    long start = System.nanoTime();
    try (BridgeProcess resync = BridgeProcess.java(List.of("-Xmx256m", "-Xlog:gc:file=" + gcLog, "-jar", JAR.toString(),
        "resync", "--dry-run", "--config", config.toString()), Map.of())) {
      if (!resync.process().waitFor(RESYNC_LIMIT.toMinutes(), TimeUnit.MINUTES)) {
        report.line("resync --dry-run, %,d managed members in %,d groups: NOT FINISHED in %d minutes (%d Fulcrum calls "
            + "so far, heap peak %d MB)", MEMBERS, GROUPS, RESYNC_LIMIT.toMinutes(), fulcrum.calls().total(),
            heapPeakMb(gcLog));
        return;
      }
      if (resync.process().exitValue() != 0) {
        throw new AssertionError("resync --dry-run failed: " + resync.output());
      }
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    report.line("resync --dry-run, %,d managed members in %,d groups, -Xmx256m: %d Fulcrum calls (%s), %.1f s, heap peak %d MB "
        + "(at 5,000 calls/h the calls take %.0f s of budget)", MEMBERS, GROUPS, fulcrum.calls().total(),
        fulcrum.calls().all().stream().map(c -> c.endpoint() + " x" + c.count()).toList(), ms / 1000.0, heapPeakMb(gcLog), fulcrum.calls().total() * 3600.0 / 5000);
  }

  /**
   * One way of starting serve: {@code java -Xmx256m -jar} on a jar, or the packaged command
   * ({@code bin/fulcrum-scim serve} from the tarball, JAVA_OPTS=-Xmx256m) with its class-data archive.
   */
  record Launch(String label, Path jar, BiFunction<Path, Path, List<String>> command,
      Function<Path, Map<String, String>> environment) {
    static Launch jar(Path jar) {
      return new Launch(jar.getFileName().toString(), jar, (config, gcLog) -> List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-Xlog:gc:file=" + gcLog,
          "-jar", jar.toString(), "serve", "--config", config.toString()),
          gcLog -> Map.of("FULCRUM_SCIM_TOKEN", ScimTestServer.TOKEN));
    }

    /** The command passes JAVA_OPTS to its JVM: the same options as {@link #jar}'s. */
    static Launch packaged(Path home, Path cache) {
      return new Launch("bin/fulcrum-scim (CDS)", home.resolve("lib/fulcrum-scim.jar"), (config, gcLog) -> List.of(
          home.resolve("bin/fulcrum-scim").toString(), "serve", "--config", config.toString()),
          gcLog -> Map.of("FULCRUM_SCIM_TOKEN", ScimTestServer.TOKEN, "JAVA_HOME", System.getProperty("java.home"),
              "CACHE_DIRECTORY", cache.toString(), "JAVA_OPTS", "-Xmx256m -Xlog:gc:file=" + gcLog));
    }

    BridgeProcess start(Path config, Path gcLog) throws IOException {
      return BridgeProcess.exec(command.apply(config, gcLog), environment.apply(gcLog));
    }
  }

  /**
   * The packaged command's first start, which makes the class-data archive (a demo run) in
   * {@code cache} before serving: the report's line on it.
   */
  private String firstStart(Launch packaged, Path cache, Path home, FulcrumEmulator fulcrum) throws Exception {
    Files.createDirectories(home);
    Path config = BridgeProcess.writeConfig(home, fulcrum.baseUrl(), fulcrum.token(), "");
    long start = System.nanoTime();
    try (BridgeProcess bridge = packaged.start(config, gcLogs())) {
      awaitReady(bridge);
    }
    long archive;
    try (var files = Files.list(cache)) {
      archive = files.filter(f -> f.toString().endsWith(".jsa")).mapToLong(f -> f.toFile().length()).sum();
    }
    return String.format(Locale.ROOT, "the packaged command's first start, making its class-data archive "
        + "(%.0f MB) with a demo run: %.1f s to ready", archive / 1e6, (System.nanoTime() - start) / 1e9);
  }

  /**
   * Every start's -Xlog:gc file, one per process (the JVM puts its pid for %p): the same option at
   * every start, since the packaged command makes a new class-data archive when JAVA_OPTS change.
   */
  private Path gcLogs() {
    return dir.resolve("gc-%p.log");
  }

  private void awaitReady(BridgeProcess bridge) throws Exception {
    String root = bridge.endpoint().replace("/scim/v2", "");
    while (status(root + "/readyz") != 200) {
      Thread.sleep(5);
    }
  }

  private void measure(Launch launch, String what, Path home, FulcrumEmulator fulcrum) throws Exception {
    Files.createDirectories(home);
    long[] ready = new long[STARTS];
    long idleRss = 0;
    long peakRss = 0;
    long heapPeak = 0;
    for (int i = 0; i < STARTS; i++) {
      Path config = BridgeProcess.writeConfig(home, fulcrum.baseUrl(), fulcrum.token(), "");
      Path gcLog;
      long start = System.nanoTime();
      try (BridgeProcess bridge = launch.start(config, gcLogs())) {
        gcLog = gcLogs().resolveSibling("gc-" + bridge.process().pid() + ".log");
        awaitReady(bridge);
        ready[i] = (System.nanoTime() - start) / 1_000_000;
        if (i == STARTS - 1) {
          Thread.sleep(IDLE.toMillis());
          long[] rss = rss(bridge.process().pid());
          idleRss = rss[0];
          peakRss = rss[1];
        }
      }
      heapPeak = Math.max(heapPeak, heapPeakMb(gcLog));
    }
    Arrays.sort(ready);
    report.line("%-38s %9.1f %12d %12.0f %12.0f %14d", launch.label() + " / " + what, Files.size(launch.jar()) / 1e6,
        ready[STARTS / 2], idleRss / 1024.0, peakRss / 1024.0, heapPeak);
  }

  private int status(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** VmRSS and VmHWM of a process, in kB (Linux). */
  static long[] rss(long pid) throws IOException {
    long rss = 0;
    long hwm = 0;
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("VmRSS:")) {
        rss = Long.parseLong(l.replaceAll("\\D", ""));
      } else if (l.startsWith("VmHWM:")) {
        hwm = Long.parseLong(l.replaceAll("\\D", ""));
      }
    }
    return new long[] {rss, hwm};
  }

  /** The largest heap occupancy before any collection the log records (MB; 0 if none ran). */
  static long heapPeakMb(Path gcLog) throws IOException {
    long peak = 0;
    if (Files.exists(gcLog)) {
      for (String l : Files.readAllLines(gcLog)) {
        Matcher m = GC_LINE.matcher(l);
        if (m.find()) {
          peak = Math.max(peak, Long.parseLong(m.group(1)));
        }
      }
    }
    return peak;
  }
}
