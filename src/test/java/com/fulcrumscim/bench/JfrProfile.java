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
 * thread, by top frame, and which of the bridge's own methods they passed through.
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

  /** The summary lines: layers, threads, top frames, the bridge's methods (inclusive). */
  List<String> summary(int top) throws IOException, InterruptedException {
    String json = tool("jfr", "print", "--json", "--stack-depth", "96", "--events", "jdk.ExecutionSample", file.toString());
    JsonNode events = new ObjectMapper().readTree(json).path("recording").path("events");
    Map<String, Integer> layers = new HashMap<>();
    Map<String, Integer> threads = new HashMap<>();
    Map<String, Integer> selfFrames = new HashMap<>();
    Map<String, Integer> bridgeMethods = new HashMap<>();
    int samples = 0;
    for (JsonNode event : events) {
      JsonNode frames = event.path("values").path("stackTrace").path("frames");
      if (frames.isEmpty()) {
        continue;
      }
      samples++;
      threads.merge(threadKind(event.path("values").path("sampledThread").path("javaName").asText("?")), 1, Integer::sum);
      selfFrames.merge(name(frames.get(0)), 1, Integer::sum);
      String layer = "JDK";
      for (JsonNode f : frames) {
        String type = name(f);
        String hit = LAYERS.entrySet().stream().filter(e -> type.startsWith(e.getKey())).map(Map.Entry::getValue)
            .findFirst().orElse(null);
        if (hit != null) {
          layer = hit;
          break;
        }
      }
      layers.merge(layer, 1, Integer::sum);
      Set<String> seen = new HashSet<>();
      for (JsonNode f : frames) {
        String n = name(f);
        if (n.startsWith("com.fulcrumscim.") && !n.contains("$$Lambda") && seen.add(n)) {
          bridgeMethods.merge(n, 1, Integer::sum);
        }
      }
    }
    List<String> out = new ArrayList<>();
    out.add(String.format(Locale.ROOT, "%d CPU samples (jdk.ExecutionSample; time in native code such as fsync "
        + "is not sampled here)", samples));
    out.add("by layer (innermost non-JDK frame):");
    out.addAll(ranked(layers, samples, top));
    out.add("by thread:");
    out.addAll(ranked(threads, samples, top));
    out.add("top frames (self):");
    out.addAll(ranked(selfFrames, samples, top));
    out.add("bridge methods (inclusive):");
    out.addAll(ranked(bridgeMethods, samples, top));
    return out;
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
