package com.fulcrumscim.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.Packages;
import com.fulcrumscim.testing.ScimTestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb and .tar.gz that `mvn package` leaves in target/ (run by failsafe after packaging):
 * what they hold, with which modes, and that the wrapper runs from an unpacked tree.
 *
 * <p>Each test has its own directory, cache and ports; most of their time is JVMs the wrapper
 * starts, four of them making a class-data archive with a demo run first. They share one unpacked
 * tarball, which they only run. One at a time: side by side on 2 cores, eight first starts at once
 * took minutes each and missed their bounds at a busy machine's load, for no gain measured.
 */
class PackageIT {
  /**
   * JAVA_OPTS for the wrapper's JVMs: the small heap and quick JIT of BridgeProcess's children (a
   * quarter less CPU for a demo run that makes an archive). As JAVA_OPTS they key the archive as an
   * operator's options would.
   */
  static final String QUICK_JVM = "-Xmx256m -XX:TieredStopAtLevel=1";
  /**
   * How long a packaged serve may take to announce its endpoint: a first start runs the archive's demo
   * (its own bound to converge is 60 s) before serve, beside the other tests' JVMs.
   */
  static final Duration STARTED_WITHIN = Duration.ofMinutes(3);

  @TempDir static Path unpacked;
  static Path home;
  @TempDir Path dir;

  @BeforeAll
  static void unpackTheTarball() throws Exception {
    home = Packages.unpackTarball(unpacked);
  }

  record Run(int exit, String out) {}

  static Run run(Map<String, String> env, Path cwd, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(cwd.toFile());
    pb.environment().remove("FULCRUM_SCIM_CONFIG");
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
    return new Run(p.exitValue(), out);
  }

  /** {@code tar -tv} / {@code dpkg-deb -c} lines as "mode path". */
  static List<String> modesAndPaths(String listing) {
    return listing.lines().map(l -> l.split("\\s+")).map(f -> f[0] + " " + f[f.length - 1].replaceFirst("^\\./", "/")).toList();
  }

  @Test
  void theDebInstallsTheCommandTheUnitTheConfigAndTheJar() throws Exception {
    Run listing = run(Map.of(), dir, "dpkg-deb", "-c", Packages.newest("fulcrum-scim_*_all.deb").toAbsolutePath().toString());
    assertThat(listing.exit()).isZero();
    assertThat(modesAndPaths(listing.out())).contains(
        "-rwxr-xr-x /usr/bin/fulcrum-scim",
        "-rw-r--r-- /usr/share/fulcrum-scim/lib/fulcrum-scim.jar",
        "-rw-r--r-- /lib/systemd/system/fulcrum-scim.service",
        "-rw-r----- /etc/fulcrum-scim/config.yml",
        "-rw------- /etc/fulcrum-scim/env",
        "-rw-r--r-- /usr/share/doc/fulcrum-scim/config.yml.example",
        "-rw-r--r-- /usr/share/fulcrum-scim/monitoring/fulcrum-scim-alerts.yml",
        "-rw-r--r-- /usr/share/fulcrum-scim/monitoring/fulcrum-scim-dashboard.json");
  }

  @Test
  void theDebControlNamesThePackageItsJavaAndItsConffiles() throws Exception {
    Path control = dir.resolve("DEBIAN");
    assertThat(run(Map.of(), dir, "dpkg-deb", "-e", Packages.newest("fulcrum-scim_*_all.deb").toAbsolutePath().toString(),
        control.toString()).exit()).isZero();
    assertThat(Files.readString(control.resolve("control")))
        .contains("Package: fulcrum-scim\n", "Architecture: all\n", "Depends: openjdk-17-jre-headless");
    assertThat(Files.readAllLines(control.resolve("conffiles")))
        .containsExactlyInAnyOrder("/etc/fulcrum-scim/config.yml", "/etc/fulcrum-scim/env");
    assertThat(Files.readString(control.resolve("postinst")))
        .as("user, state directory, migration on upgrade").contains("useradd --system", "install -d -m 0700", "db migrate");
    assertThat(Files.isExecutable(control.resolve("postinst"))).isTrue();
  }

  @Test
  void theTarballHoldsTheSameFilesUnderOneFolder() throws Exception {
    Run listing = run(Map.of(), dir, "tar", "-tvzf", Packages.newest("fulcrum-scim-*.tar.gz").toAbsolutePath().toString());
    assertThat(listing.exit()).isZero();
    assertThat(modesAndPaths(listing.out()).stream().map(l -> l.replaceFirst(" fulcrum-scim-[^/]+/", " ")))
        .contains("-rwxr-xr-x bin/fulcrum-scim", "-rw-r--r-- lib/fulcrum-scim.jar", "-rw-r--r-- etc/fulcrum-scim.service",
            "-rw-r----- etc/config.yml", "-rw------- etc/env", "-rw-r--r-- share/monitoring/fulcrum-scim-alerts.yml");
  }

  /** The unpacked {@code bin/fulcrum-scim} with {@code args}, run to its end: JAVA_OPTS {@link #QUICK_JVM} unless {@code env} says. */
  Run wrapper(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(home.resolve("bin/fulcrum-scim").toString()));
    command.addAll(List.of(args));
    Map<String, String> all = new HashMap<>(Map.of("JAVA_OPTS", QUICK_JVM));
    all.putAll(env);
    return run(all, dir, command.toArray(String[]::new));
  }

  /**
   * The unpacked {@code bin/fulcrum-scim serve} on the embedded emulator, with a config of its own in
   * {@code dir/start}, its archives in {@code dir/cache}, and JAVA_OPTS {@link #QUICK_JVM} then {@code javaOpts}.
   */
  BridgeProcess serve(String start, String javaOpts) throws IOException {
    Path config = BridgeProcess.writeConfig(Files.createDirectories(dir.resolve(start)), "embedded", "\"\"", "");
    return BridgeProcess.exec(List.of(home.resolve("bin/fulcrum-scim").toString(), "serve", "--config", config.toString()),
        Map.of("JAVA_HOME", System.getProperty("java.home"), "CACHE_DIRECTORY", dir.resolve("cache").toString(),
            "FULCRUM_SCIM_TOKEN", ScimTestServer.TOKEN, "JAVA_OPTS", QUICK_JVM + " " + javaOpts));
  }

  @Test
  void theUnpackedWrapperRunsTheJar() throws Exception {
    Run help = wrapper(Map.of(), "--help");
    assertThat(help.exit()).as(help.out()).isZero();
    assertThat(help.out()).contains("Usage: fulcrum-scim", "serve");
    Run version = wrapper(Map.of(), "--version");
    assertThat(version.exit()).as(version.out()).isZero();
    assertThat(version.out()).contains("fulcrum-scim");
  }

  @Test
  void theWrapperReadsEtcFulcrumScimConfigUnlessToldOtherwise() throws Exception {
    assumeFalse(Files.exists(Path.of("/etc/fulcrum-scim/config.yml")), "the package is installed on this machine");
    Run status = wrapper(Map.of(), "status");
    assertThat(status.exit()).isEqualTo(2);
    assertThat(status.out()).contains("/etc/fulcrum-scim/config.yml").contains("file not found");
    Path mine = Files.writeString(dir.resolve("mine.yml"), "server:\n  port: 0\n");
    Run told = wrapper(Map.of("FULCRUM_SCIM_CONFIG", mine.toString()), "status");
    assertThat(told.out()).contains(mine.toString()).doesNotContain("/etc/fulcrum-scim");
  }

  @Test
  void serveMakesAClassDataArchiveOnItsFirstStartAndStartsFromItAfter() throws Exception {
    Path classes = dir.resolve("classes.log");
    try (BridgeProcess first = serve("first", "-Xlog:class+load:file=" + classes)) {
      first.endpoint(STARTED_WITHIN);
    }
    try (Stream<Path> made = Files.list(dir.resolve("cache"))) {
      assertThat(made.map(p -> p.getFileName().toString())).singleElement().asString().matches("fulcrum-scim-\\d+\\.jsa");
    }

    try (BridgeProcess second = serve("second", "-Xlog:class+load:file=" + classes)) {
      second.endpoint(STARTED_WITHIN);
      assertThat(second.output()).noneMatch(l -> l.contains("cds") || l.contains("shared archive"));
    }
    assertThat(Files.readAllLines(classes)).anyMatch(l -> l.contains("com.fulcrumscim.app.Bridge source: shared objects file (top)"));
  }

  @Test
  void serveMakesANewArchiveWhenJavaOptsChange() throws Exception {
    List<String> archives = new ArrayList<>();
    for (String options : List.of("-Xmx200m", "-Xmx300m -XX:+UseSerialGC")) {
      try (BridgeProcess bridge = serve("start" + archives.size(), options)) {
        bridge.endpoint(STARTED_WITHIN);
      }
      try (Stream<Path> made = Files.list(dir.resolve("cache"))) {
        archives.add(made.map(p -> p.getFileName().toString()).reduce((a, b) -> a + " " + b).orElse(""));
      }
    }
    assertThat(archives.get(0)).matches("fulcrum-scim-\\d+\\.jsa");
    assertThat(archives.get(1)).as("the archive made under the new JAVA_OPTS replaced the old one")
        .matches("fulcrum-scim-\\d+\\.jsa").isNotEqualTo(archives.get(0));
  }

  @Test
  void serveStartsWithoutAnArchiveItCannotMakeAndTriesOnlyOnce() throws Exception {
    for (String start : List.of("first", "second")) {
      // with class-data sharing off the JVM runs the demo and exits 0 without writing an archive
      try (BridgeProcess bridge = serve(start, "-Xshare:off")) {
        bridge.endpoint(STARTED_WITHIN);
        long complaints = bridge.output().stream().filter(l -> l.contains("could not make the class-data archive")).count();
        assertThat(complaints).as("%s start", start).isEqualTo(start.equals("first") ? 1 : 0);
      }
    }
    try (Stream<Path> left = Files.list(dir.resolve("cache"))) {
      assertThat(left.map(p -> p.getFileName().toString())).singleElement().asString().endsWith(".jsa.failed");
    }
  }

  @Test
  void theShippedConfigLoadsAsTheUnitRunsIt() throws Exception {
    Path credentials = Files.createDirectory(dir.resolve("credentials"));
    Files.writeString(credentials.resolve("fulcrum-api-token"), "");
    BridgeConfig config = new ConfigLoader(Map.of("CREDENTIALS_DIRECTORY", credentials.toString())::get)
        .load(home.resolve("etc/config.yml"));
    assertThat(config.storage().path()).isEqualTo(Path.of("/var/lib/fulcrum-scim/fulcrum-scim.db"));
    assertThat(config.logging().format()).isEqualTo("json");
    assertThat(config.fulcrum().apiTokenFile()).isEqualTo("fulcrum-api-token");
  }
}
