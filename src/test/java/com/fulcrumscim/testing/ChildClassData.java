package com.fulcrumscim.testing;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The class path and options for the child JVMs {@link BridgeProcess} starts with its default
 * options (serve, operator commands; dozens per suite): they start from a class-data archive of the
 * dependencies' classes (the classes a {@code demo} run loads), made once per test JVM as the
 * packaged wrapper makes one before the first serve. That takes about a second of class loading
 * off each start. The archive is kept in target/ under a name made from the class path's jars and
 * the options, and made under a file lock: the build's other test JVM, and every later build with
 * the same jars, start their children from it instead of making their own (half a minute on a
 * loaded 2-core machine, paid by the first test of each JVM that starts a child).
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
      archive = shared(jvmOptions);
    }
    List<String> options = new ArrayList<>();
    archive.ifPresent(a -> {
      options.add("-XX:SharedArchiveFile=" + a);
      options.addAll(QUIET);
    });
    options.addAll(List.of("-cp", jarsFirst()));
    return options;
  }

  /** The kept archive for this class path and {@code jvmOptions}, made first if no test JVM made it yet. */
  private static Optional<Path> shared(List<String> jvmOptions) {
    try {
      Path kept = Files.createDirectories(Path.of(System.getProperty("basedir", ""), "target", "child-cds"));
      String key = key(jvmOptions);
      Path file = kept.resolve(key + ".jsa");
      try (FileChannel lock = FileChannel.open(kept.resolve(key + ".lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE)) {
        lock.lock(); // the other test JVM waits here while this one makes it; closing the channel lets go
        if (Files.isRegularFile(file)) {
          return Optional.of(file);
        }
        return make(jvmOptions, file);
      }
    } catch (IOException e) {
      System.err.println("no class-data archive for child JVMs (they start without): " + e);
      return Optional.empty();
    }
  }

  /** What the archive depends on: this JVM, the options, and each jar as it is on the disk. */
  private static String key(List<String> jvmOptions) throws IOException {
    StringBuilder all = new StringBuilder(System.getProperty("java.home")).append(System.getProperty("java.vm.version"))
        .append(jvmOptions);
    for (String jar : entries().stream().filter(ChildClassData::isJar).toList()) {
      Path p = Path.of(jar);
      all.append('\n').append(jar).append(' ').append(Files.size(p)).append(' ').append(Files.getLastModifiedTime(p));
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(all.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Lists the classes a {@code demo} run loads, then dumps those from the jars into an archive moved
   * to {@code target} once complete; under {@code jvmOptions}, as the archive is used with them (a
   * heap size, say, may not match).
   */
  private static Optional<Path> make(List<String> jvmOptions, Path target) {
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
      // renamed once whole: a build killed half way through leaves no archive for the next to trust
      Path part = target.resolveSibling(target.getFileName() + ".part");
      Files.copy(file, part, StandardCopyOption.REPLACE_EXISTING);
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
      return Optional.of(target);
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
      Files.writeString(log, "did not end within 2 minutes: " + command + "\n", StandardOpenOption.APPEND);
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
