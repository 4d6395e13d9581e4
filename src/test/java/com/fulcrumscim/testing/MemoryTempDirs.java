package com.fulcrumscim.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Where tests make the files that fsync: every {@code @TempDir} (so every test's SQLite file) and the
 * PostgreSQL test cluster. In memory ({@code /dev/shm}) where it has 4 GB free: on
 * this project's 2-core machine each fsync waited 1.5-6 ms for the disk (OneWriterSequenceTest alone
 * made 7,941 of them, 12 s of waiting). The code under test still calls fsync as in production, and
 * no test can tell memory from a disk (a SIGKILLed process loses nothing either way; no test cuts the
 * power). The free space is checked because a container's {@code /dev/shm} is 64 MB by default.
 * {@code -Dtest.tmpdir=DIR} (surefire passes it as {@code fulcrum.test.tmpdir}) chooses; bench/run
 * passes it, as the benchmarks measure the durable write path on the disk.
 */
public final class MemoryTempDirs implements TempDirFactory {
  private static final Path SHM = Path.of("/dev/shm");
  private static final long NEEDED = 4L << 30;
  private static final Optional<Path> ROOT = choose();

  /** The dir to make fsyncing temp files under; empty for the JVM's usual temp dir. */
  public static Optional<Path> root() {
    return ROOT;
  }

  /** A new temp dir under {@link #root()}. */
  public static Path newDirectory(String prefix) throws IOException {
    return ROOT.isPresent() ? Files.createTempDirectory(ROOT.get(), prefix) : Files.createTempDirectory(prefix);
  }

  /** Whether {@code dir} is in memory (tmpfs), where fsync and checkpoints cost next to nothing. */
  public static boolean inMemory(Path dir) {
    try {
      return Files.getFileStore(dir).type().equals("tmpfs");
    } catch (IOException e) {
      return false;
    }
  }

  private static Optional<Path> choose() {
    String asked = System.getProperty("fulcrum.test.tmpdir", "");
    if (!asked.isBlank()) {
      return Optional.of(Path.of(asked));
    }
    try {
      return Files.isDirectory(SHM) && Files.getFileStore(SHM).getUsableSpace() >= NEEDED ? Optional.of(SHM)
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
    return newDirectory("junit-");
  }
}
