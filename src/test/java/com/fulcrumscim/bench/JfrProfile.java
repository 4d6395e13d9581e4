package com.fulcrumscim.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A flight recording of a child JVM over one phase (jcmd JFR.start/stop), read back with
 * {@code jfr print --json}: where the CPU samples (jdk.ExecutionSample) landed, by layer, by
 * thread, by top frame, and which of the bridge's own methods they passed through; and, apart,
 * the threads found inside SQLite's native code (jdk.NativeMethodSample), which Java CPU samples
 * never show.
 */
final class JfrProfile {
  /** Layers by class-name prefix; a sample belongs to the innermost frame that has one (else the JDK). */
  private static final Map<String, String> LAYERS = new LinkedHashMap<>();

  static {
    LAYERS.put("com.fasterxml.jackson.", "JSON (Jackson)");
    LAYERS.put("org.sqlite.", "SQLite JDBC");
    LAYERS.put("org.eclipse.jetty.", "HTTP (Jetty)");
    LAYERS.put("io.javalin.", "Javalin");
    LAYERS.put("ch.qos.logback.", "logging");
    LAYERS.put("org.slf4j.", "logging");
    LAYERS.put("org.quartz.", "reconciler (Quartz)");
    LAYERS.put("okhttp3.", "Fulcrum client (OkHttp)");
    LAYERS.put("okio.", "Fulcrum client (OkHttp)");
    LAYERS.put("io.micrometer.", "metrics");
    LAYERS.put("com.fulcrumscim.", "bridge code");
    LAYERS.put("kotlin.", "Javalin");
  }

  private final long pid;
  private final Path file;

  JfrProfile(long pid, Path file) {
    this.pid = pid;
    this.file = file;
  }

  void start() throws IOException, InterruptedException {
    tool("jcmd", Long.toString(pid), "JFR.start", "name=bench", "settings=profile", "filename=" + file);
  }

  void stop() throws IOException, InterruptedException {
    tool("jcmd", Long.toString(pid), "JFR.stop", "name=bench");
  }

  /**
   * The summary lines: where the Java CPU samples landed (layers, threads, top frames, the bridge's
   * methods, inclusive), then the samples of threads inside SQLite's native code, which
   * jdk.ExecutionSample never sees: statements, commits and their fsync (on or off the CPU).
   */
  List<String> summary(int top) throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    Tally java = tally("jdk.ExecutionSample", frames -> true);
    out.add(String.format(Locale.ROOT, "%d Java CPU samples (jdk.ExecutionSample)", java.samples));
    out.add("by layer (innermost non-JDK frame):");
    out.addAll(ranked(java.layers, java.samples, top));
    out.add("by thread:");
    out.addAll(ranked(java.threads, java.samples, top));
    out.add("top frames (self):");
    out.addAll(ranked(java.selfFrames, java.samples, top));
    out.add("bridge methods (inclusive):");
    out.addAll(ranked(java.bridgeMethods, java.samples, top));
    Tally sqlite = tally("jdk.NativeMethodSample", frames -> name(frames.get(0)).startsWith("org.sqlite."));
    out.add(String.format(Locale.ROOT, "%d samples of threads inside SQLite's native code (jdk.NativeMethodSample: "
        + "statements, commits, fsync; on the CPU or waiting for the disk)", sqlite.samples));
    out.add("by thread:");
    out.addAll(ranked(sqlite.threads, sqlite.samples, top));
    out.add("bridge methods (inclusive):");
    out.addAll(ranked(sqlite.bridgeMethods, sqlite.samples, top));
    return out;
  }

  private static final class Tally {
    final Map<String, Integer> layers = new HashMap<>();
    final Map<String, Integer> threads = new HashMap<>();
    final Map<String, Integer> selfFrames = new HashMap<>();
    final Map<String, Integer> bridgeMethods = new HashMap<>();
    int samples;
  }

  /** The events of {@code type} whose stack {@code counts}, tallied by layer, thread, top frame and bridge method. */
  private Tally tally(String type, java.util.function.Predicate<JsonNode> counts) throws IOException, InterruptedException {
    String json = tool("jfr", "print", "--json", "--stack-depth", "96", "--events", type, file.toString());
    JsonNode events = new ObjectMapper().readTree(json).path("recording").path("events");
    Tally t = new Tally();
    for (JsonNode event : events) {
      JsonNode frames = event.path("values").path("stackTrace").path("frames");
      if (frames.isEmpty() || !counts.test(frames)) {
        continue;
      }
      t.samples++;
      t.threads.merge(threadKind(event.path("values").path("sampledThread").path("javaName").asText("?")), 1, Integer::sum);
      t.selfFrames.merge(name(frames.get(0)), 1, Integer::sum);
      String layer = "JDK";
      for (JsonNode f : frames) {
        String frame = name(f);
        String hit = LAYERS.entrySet().stream().filter(e -> frame.startsWith(e.getKey())).map(Map.Entry::getValue)
            .findFirst().orElse(null);
        if (hit != null) {
          layer = hit;
          break;
        }
      }
      t.layers.merge(layer, 1, Integer::sum);
      Set<String> seen = new HashSet<>();
      for (JsonNode f : frames) {
        String n = name(f);
        if (n.startsWith("com.fulcrumscim.") && !n.contains("$$Lambda") && seen.add(n)) {
          t.bridgeMethods.merge(n, 1, Integer::sum);
        }
      }
    }
    return t;
  }

  private static String threadKind(String name) {
    return name.replaceAll("[-#]?\\d+$", "").replaceAll("-\\d+-", "-N-");
  }

  private static String name(JsonNode frame) {
    JsonNode method = frame.path("method");
    String type = method.path("type").path("name").asText("?").replace('/', '.');
    return type + "." + method.path("name").asText("?");
  }

  private static List<String> ranked(Map<String, Integer> counts, int total, int top) {
    return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
        .map(e -> String.format(Locale.ROOT, "  %5.1f%%  %s", 100.0 * e.getValue() / Math.max(1, total), e.getKey()))
        .toList();
  }

  private static String tool(String name, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", name).toString());
    command.addAll(List.of(args));
    Path output = Files.createTempFile("jfr-tool", ".out");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IOException(name + " failed: " + Files.readString(output));
      }
      return Files.readString(output);
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
