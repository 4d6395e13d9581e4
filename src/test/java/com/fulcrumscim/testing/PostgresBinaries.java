package com.fulcrumscim.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Where this machine's PostgreSQL server programs (initdb, pg_ctl, postgres) are, if anywhere. */
final class PostgresBinaries {
  static final String ENV = "FULCRUM_SCIM_PG_BIN";

  private static final Path DEBIAN = Path.of("/usr/lib/postgresql");
  // Looked up once per JVM: every @RequiresPostgres class asks, and pg_config is a process start.
  private static final Optional<Path> FOUND = find();

  private PostgresBinaries() {}

  static Optional<Path> directory() {
    return FOUND;
  }

  /** Where {@link #directory} looks, for messages saying it found nothing. */
  static String searched() {
    String chosen = System.getenv(ENV);
    return chosen != null && !chosen.isBlank() ? "$" + ENV + "=" + chosen
        : "$" + ENV + " (unset), `pg_config --bindir`, /usr/lib/postgresql/*/bin";
  }

  private static Optional<Path> find() {
    String chosen = System.getenv(ENV);
    if (chosen != null && !chosen.isBlank()) {
      // An explicit choice that is wrong must show up as "not found", not quietly become another version.
      return Optional.of(Path.of(chosen)).filter(PostgresBinaries::hasServer);
    }
    return pgConfigBindir().filter(PostgresBinaries::hasServer).or(PostgresBinaries::newestDebian);
  }

  private static boolean hasServer(Path dir) {
    return Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl"));
  }

  private static Optional<Path> pgConfigBindir() {
    try {
      Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.of(Path.of(out)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // no pg_config on the PATH
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Debian installs each major version side by side as /usr/lib/postgresql/VERSION/bin. */
  private static Optional<Path> newestDebian() {
    if (!Files.isDirectory(DEBIAN)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(DEBIAN)) {
      return versions
          .filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
          .map(v -> v.resolve("bin"))
          .filter(PostgresBinaries::hasServer)
          .max(Comparator.comparingDouble(bin -> Double.parseDouble(bin.getParent().getFileName().toString())));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
