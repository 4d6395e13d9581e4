package com.fulcrumscim.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code fulcrum-scim serve --config FILE} (or another command) as a child JVM with the test's
 * class path: what an operator runs, killable with SIGKILL. Every line it prints (stdout and stderr, logs included) is
 * kept, and {@link #endpoint} completes when it announces its SCIM endpoint.
 */
public final class BridgeProcess implements AutoCloseable {
  /** Small heap and the quick JIT: tests start many child JVMs and measure nothing. */
  private static final List<String> DEFAULT_JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");
  /** Ports {@link #freePort} hands out: below the kernel's ephemeral range. */
  private static final int FIRST_PORT = 20_000;
  private static final int PORTS = 12_000;
  private static final AtomicInteger nextPort = new AtomicInteger((int) (ProcessHandle.current().pid() * 7_919 % PORTS));
  /** Printed as text, or inside a JSON log line's message with {@code logging.format: json}. */
  private static final Pattern ENDPOINT = Pattern.compile("SCIM endpoint: ([^\\s\"]+)");
  /** Whether GNU env can start a child with SIGHUP and SIGINT at their defaults (see withDefaultSignals). */
  private static final boolean ENV_RESETS_SIGNALS = envResetsSignals();
  private final Process process;
  private final Thread reader;
  private final CompletableFuture<String> endpoint = new CompletableFuture<>();
  private final List<String> output = new ArrayList<>();

  private BridgeProcess(Process process) {
    this.process = process;
    reader = new Thread(this::readOutput, "bridge-child-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code serve}; {@code environment} is added to the child's (FULCRUM_SCIM_TOKEN, ...). */
  public static BridgeProcess serve(Path config, Map<String, String> environment) throws IOException {
    return serve(config, environment, DEFAULT_JVM);
  }

  /** Any {@code fulcrum-scim} command line in a child JVM, e.g. one to interrupt with SIGTERM. */
  public static BridgeProcess command(Map<String, String> environment, String... args) throws IOException {
    return java(DEFAULT_JVM, "com.fulcrumscim.cli.Main", List.of(args), environment);
  }

  /** As {@link #serve(Path, Map)} with these JVM options (benchmarks: the full JIT, a flight recording). */
  public static BridgeProcess serve(Path config, Map<String, String> environment, List<String> jvmOptions)
      throws IOException {
    return java(jvmOptions, "com.fulcrumscim.cli.Main", List.of("serve", "--config", config.toString()), environment);
  }

  /**
   * Any main class on the test's class path as a child JVM; {@link #endpoint} completes when it prints
   * "SCIM endpoint: URL" as serve does.
   */
  public static BridgeProcess java(List<String> jvmOptions, String mainClass, List<String> arguments,
      Map<String, String> environment) throws IOException {
    List<String> command = new ArrayList<>(jvmOptions);
    command.addAll(classPath(jvmOptions));
    command.add(mainClass);
    command.addAll(arguments);
    return java(command, environment);
  }

  /** -cp and the test's class path; with the default options, from the children's class-data archive too. */
  private static List<String> classPath(List<String> jvmOptions) {
    return jvmOptions.equals(DEFAULT_JVM) ? ChildClassData.options(DEFAULT_JVM)
        : List.of("-cp", System.getProperty("java.class.path"));
  }

  /** {@code java} with these arguments (options, then -cp/-jar and what follows) as a child JVM. */
  public static BridgeProcess java(List<String> arguments, Map<String, String> environment) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(arguments);
    return exec(command, environment);
  }

  /** Any command line as a child process, e.g. the packaged {@code bin/fulcrum-scim serve} (it execs its JVM). */
  public static BridgeProcess exec(List<String> command, Map<String, String> environment) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(withDefaultSignals(command)).redirectErrorStream(true);
    pb.environment().putAll(environment);
    return new BridgeProcess(pb.start());
  }

  /** What an operator command printed (stdout and stderr apart) and its exit code. */
  public record CommandRun(int exit, String out, String err) {}

  /**
   * Runs one operator command ({@code resync}, {@code journal retry ...}) as its own JVM, the way an
   * operator's shell does next to the daemon, and waits for it (at most 3 minutes).
   */
  public static CommandRun command(Path config, String... args) throws IOException, InterruptedException {
    return command(List.of(), config, args);
  }

  /**
   * {@link #command(Path, String...)} held to file modes as the service's user is: run by root, the
   * child goes without the capabilities that let root read and write whatever the modes say.
   */
  public static CommandRun commandBoundByFileModes(Path config, String... args) throws IOException, InterruptedException {
    return command("root".equals(System.getProperty("user.name"))
        ? List.of("setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search") : List.of(), config, args);
  }

  private static CommandRun command(List<String> wrapper, Path config, String... args) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>(wrapper);
    line.addAll(javaMain());
    line.addAll(List.of(args));
    line.addAll(List.of("--config", config.toString()));
    Path out = Files.createTempFile(config.getParent(), "cmd", ".out");
    Path err = Files.createTempFile(config.getParent(), "cmd", ".err");
    Process p = new ProcessBuilder(withDefaultSignals(line)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("`" + String.join(" ", args) + "` did not end within 3 minutes");
    }
    return new CommandRun(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /**
   * {@code command} run with SIGHUP and SIGINT at their defaults. A signal ignored at exec stays
   * ignored in the child, and a JVM installs no handler for it: a build started under {@code nohup}
   * or as a background job of a script (which ignores SIGINT) would otherwise fail every test that
   * signals a child, though the daemon is fine. GNU env execs the command, so the pid is the JVM's.
   */
  private static List<String> withDefaultSignals(List<String> command) {
    if (!ENV_RESETS_SIGNALS) {
      return command;
    }
    List<String> line = new ArrayList<>(List.of("env", "--default-signal=HUP,INT"));
    line.addAll(command);
    return line;
  }

  private static boolean envResetsSignals() {
    try {
      Process p = new ProcessBuilder("env", "--default-signal=HUP,INT", "true").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false; // no GNU env: children inherit whatever this JVM was started with
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static List<String> javaMain() {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    line.addAll(DEFAULT_JVM);
    line.addAll(classPath(DEFAULT_JVM));
    line.add("com.fulcrumscim.cli.Main");
    return line;
  }

  /**
   * Writes {@code dir/config.yml} for {@link #serve}: a free port, the database at {@code dir/bridge.db}
   * and Fulcrum at {@code fulcrumUrl} with {@code fulcrumToken}. {@code more} follows the fulcrum
   * section's {@code api_token} line as is, so it may go on with that section (indented) or start others.
   */
  public static Path writeConfig(Path dir, String fulcrumUrl, String fulcrumToken, String more) throws IOException {
    Path config = dir.resolve("config.yml");
    Files.writeString(config, """
        server:
          port: %d
        storage:
          path: %s
        fulcrum:
          base_url: %s
          api_token: %s
        """.formatted(freePort(), dir.resolve("bridge.db"), fulcrumUrl, fulcrumToken) + more);
    return config;
  }

  /**
   * config.yml in {@code dir} for a node on PostgreSQL database {@code pg}, reconciling every second.
   * {@code more} follows the fulcrum section's calls_per_hour line as is, so it may go on with that
   * section (indented) or start others. storage.path names a file that must never appear:
   * storage.url wins.
   */
  public static Path writePostgresConfig(Path dir, String fulcrumUrl, String fulcrumToken, PostgresServer.Database pg,
      long callsPerHour, String more) throws IOException {
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve("config.yml"), """
        server:
          port: %d
        storage:
          path: %s
          url: %s
          username: %s
          password: %s
        reconcile:
          interval: 1s
        fulcrum:
          base_url: %s
          api_token: %s
          calls_per_hour: %d
        """.formatted(freePort(), dir.resolve("bridge.db"), pg.jdbcUrl(), pg.username(), pg.password(), fulcrumUrl,
        fulcrumToken, callsPerHour) + more);
  }

  /**
   * A port that was free a moment ago (the child binds it itself), below the kernel's ephemeral
   * range (32768 and up on Linux): one from that range could be handed to another socket's bind(0)
   * or connect() before the child binds it (seen: a child's embedded emulator took its SCIM port).
   * Each JVM walks the range from its own offset, so two test JVMs seldom try the same port.
   */
  public static int freePort() throws IOException {
    for (int tries = 0; tries < PORTS; tries++) {
      int port = FIRST_PORT + Math.floorMod(nextPort.getAndIncrement(), PORTS);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException taken) {
        // in use: the next one
      }
    }
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private void readOutput() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        synchronized (output) {
          output.add(line);
        }
        Matcher announced = ENDPOINT.matcher(line);
        if (announced.find()) {
          endpoint.complete(announced.group(1));
        }
      }
    } catch (IOException ignored) {
      // the child died: often the point
    }
    endpoint.completeExceptionally(new IllegalStateException("serve exited before it printed its endpoint: " + output()));
  }

  /** The SCIM base URL, once the child is up (within 60 s). */
  public String endpoint() throws Exception {
    return endpoint(Duration.ofSeconds(60));
  }

  /** The SCIM base URL, once the child is up within {@code bound} (the packaged wrapper's first serve runs a demo first). */
  public String endpoint(Duration bound) throws Exception {
    return endpoint.get(bound.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Every line printed so far. */
  public List<String> output() {
    synchronized (output) {
      return List.copyOf(output);
    }
  }

  public Process process() {
    return process;
  }

  /** Sends {@code signal} ("HUP", "TERM", ...) as an operator's {@code kill -SIGNAL pid} would. */
  public void signal(String signal) throws IOException, InterruptedException {
    // inheritIO: kill's own complaint, if any, lands in the test log
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
    }
  }

  /**
   * SIGTERM, then the exit code (within 30 s); {@link #output} then holds the last line too. Sent
   * with kill, as systemd does: {@link Process#destroy} would also close the pipes and lose the goodbye.
   */
  public int terminate() throws InterruptedException {
    if (process.isAlive()) {
      try {
        signal("TERM");
      } catch (IOException | IllegalStateException gone) {
        // exited meanwhile: the exit code below says how
      }
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      kill();
    }
    reader.join(10_000);
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hook, no flush, no goodbye. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the child survived SIGKILL");
    }
  }

  /** SIGTERM and wait: the orderly stop. */
  @Override
  public void close() throws InterruptedException {
    terminate();
  }
}
