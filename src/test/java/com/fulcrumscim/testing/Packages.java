package com.fulcrumscim.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The packages `mvn package` leaves in target/ (the .deb and the .tar.gz), for the tests and benchmarks that use them. */
public final class Packages {
  private Packages() {}

  /** The newest file in target/ whose name matches {@code glob}. */
  public static Path newest(String glob) throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files.filter(f -> f.getFileSystem().getPathMatcher("glob:" + glob).matches(f.getFileName()))
          .max(Comparator.comparing(f -> f.toFile().lastModified()))
          .orElseThrow(() -> new AssertionError("no target/" + glob + ": run `mvn package` first"));
    }
  }

  /** The newest tarball unpacked in {@code dir}: its one top folder (bin/, lib/, etc/). */
  public static Path unpackTarball(Path dir) throws IOException, InterruptedException {
    Process tar = new ProcessBuilder("tar", "-xzf", newest("fulcrum-scim-*.tar.gz").toAbsolutePath().toString())
        .directory(dir.toFile()).inheritIO().start();
    if (!tar.waitFor(60, TimeUnit.SECONDS) || tar.exitValue() != 0) {
      throw new AssertionError("could not unpack the tarball in " + dir);
    }
    try (Stream<Path> top = Files.list(dir)) {
      return top.filter(Files::isDirectory).findFirst().orElseThrow();
    }
  }
}
