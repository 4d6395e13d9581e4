package com.fulcrumscim.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The class path and options for the child JVMs {@link BridgeProcess} starts with its default
 * options (serve, operator commands; dozens per suite): they start from a class-data archive of the
 * dependencies' classes (the classes a {@code demo} run loads), made once per test JVM as the
 * packaged wrapper makes one before the first serve. That takes about a second of class loading
 * off each start.
 *
 * <p>Only classes from jars can be archived, and only from a class path without a non-empty
 * directory: the archive is dumped from the jars alone, and the children get the jars first with
 * target/classes and target/test-classes after them (appended entries are allowed; no resource is
 * in both). A child that cannot use the archive, or an archive that could not be made, only means
 * slower starts.
 */
final class ChildClassData {
  private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
  private static Optional<Path> archive;

  private ChildClassData() {}

  /** The options before the main class: the archive's, when there is one, then -cp and the class path. */
  static synchronized List<String> options(List<String> jvmOptions) {
    if (archive == null) {
      archive = make(jvmOptions);
    }
    List<String> options = new ArrayList<>();
    archive.ifPresent(a -> {
      options.add("-XX:SharedArchiveFile=" + a);
      options.addAll(QUIET);
    });
    options.addAll(List.of("-cp", jarsFirst()));
    return options;
  }

  /**
   * Lists the classes a {@code demo} run loads, then dumps those from the jars into an archive;
   * under {@code jvmOptions}, as the archive is used with them (a heap size, say, may not match).
   */
  private static Optional<Path> make(List<String> jvmOptions) {
    try {
      Path dir = Files.createTempDirectory("fulcrum-test-cds");
      Path list = dir.resolve("classes.list");
      Path file = dir.resolve("children.jsa");
      Path log = dir.resolve("make.log");
      for (Path p : List.of(dir, list, file, log)) {
        p.toFile().deleteOnExit();
      }
      String jars = String.join(File.pathSeparator, entries().stream().filter(ChildClassData::isJar).toList());
      boolean made = run(dir, log, jvmOptions, List.of("-XX:DumpLoadedClassList=" + list, "-cp", jarsFirst(),
          "com.fulcrumscim.cli.Main", "demo"))
          && run(dir, log, jvmOptions, List.of("-Xshare:dump", "-XX:SharedClassListFile=" + list,
          "-XX:SharedArchiveFile=" + file, "-cp", jars))
          && Files.size(file) > 0;
      if (!made) {
        System.err.println("no class-data archive for child JVMs (they start without):\n" + Files.readString(log));
        return Optional.empty();
      }
      return Optional.of(file);
    } catch (IOException e) {
      System.err.println("no class-data archive for child JVMs (they start without): " + e);
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static boolean run(Path dir, Path log, List<String> jvmOptions, List<String> arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(arguments);
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      Files.writeString(log, "did not end within 2 minutes: " + command + "\n", java.nio.file.StandardOpenOption.APPEND);
      return false;
    }
    return p.exitValue() == 0;
  }

  /** This JVM's class path with its jars first. */
  private static String jarsFirst() {
    List<String> ordered = new ArrayList<>(entries().stream().filter(ChildClassData::isJar).toList());
    ordered.addAll(entries().stream().filter(e -> !isJar(e)).toList());
    return String.join(File.pathSeparator, ordered);
  }

  private static List<String> entries() {
    return Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
  }

  private static boolean isJar(String entry) {
    return entry.endsWith(".jar");
  }
}
