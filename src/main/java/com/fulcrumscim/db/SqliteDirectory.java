package com.fulcrumscim.db;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether this user can keep the SQLite file at {@code storage.path}: serve creates the file, its
 * lock file and any missing directories, so the nearest directory that exists must be one this
 * user may search and create files in, and the file, if present, must be readable and writable.
 * Checked before anything is made there, by {@code check} and {@code serve} alike: a directory that
 * will not do is a config error (exit 2), which a restart cannot mend.
 */
public final class SqliteDirectory {
  private SqliteDirectory() {}

  /** What is wrong with {@code database}'s place, in words after "storage.path: "; empty when serve can use it. */
  public static Optional<String> problem(Path database) {
    Path file = database.toAbsolutePath();
    Path dir = file.getParent();
    while (dir != null && !Files.exists(dir)) {
      dir = dir.getParent();
    }
    if (dir == null) {
      return Optional.empty();
    }
    if (!Files.isDirectory(dir)) {
      return Optional.of(dir + " is not a directory, so " + file + " cannot be created under it");
    }
    // the lock file and SQLite's -wal and -shm files go beside the database, also when it exists
    if (!Files.isWritable(dir) || !Files.isExecutable(dir)) {
      return Optional.of("directory " + dir + " is not writable by user " + user());
    }
    if (Files.exists(file) && !(Files.isReadable(file) && Files.isWritable(file))) {
      return Optional.of("file " + file + " is not readable and writable by user " + user());
    }
    return Optional.empty();
  }

  private static String user() {
    return System.getProperty("user.name");
  }
}
