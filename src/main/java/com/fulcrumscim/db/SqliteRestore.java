package com.fulcrumscim.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code restore BACKUP}: puts a backup in the place of the SQLite file at {@code storage.path}.
 * The backup is copied beside the database first (mode 0600, synced), checked there (a readable
 * SQLite file, a bridge schema this release knows), migrated and {@code prepare}d (the restore
 * marker goes in); only then does it replace the database in one rename. The database it replaces
 * is kept beside it, its WAL with it, so nothing the old file held is lost. Stop every writer first.
 * A symbolic storage.path stays: the file it leads to is the one replaced, and the copies are made
 * beside that file, in its file system, where the rename is one step and the store's lock lies.
 */
public final class SqliteRestore {
  /**
   * Where the restore left things: the schema versions of the backup and now, the file written (where
   * a symbolic storage.path leads) and the replaced file's copy (null: none).
   */
  public record Restored(Migrations.Versions versions, Path file, Path replacedKeptAs) {}

  private SqliteRestore() {}

  /** {@code stamp}: names the replaced database's copy ({@code <file>.replaced-<stamp>}, beside the file {@code path} leads to). */
  public static Restored restore(Path backup, Path path, String stamp, Consumer<Database> prepare) {
    // renamed over the link itself, the file landed in the link's directory and the link was gone (review-s14c F1)
    Path target = SqliteDirectory.real(path.toAbsolutePath());
    Path source = backup.toAbsolutePath();
    if (!Files.isRegularFile(source)) {
      throw new DatabaseException("no backup at " + source + "; nothing was changed", null);
    }
    Path incoming = sidecar(target, ".restoring");
    try {
      if (Files.exists(target) && Files.isSameFile(source, target)) {
        throw new DatabaseException(source + " is storage.path itself, not a backup; nothing was changed", null);
      }
      Files.createDirectories(target.getParent()); // a new host, restored before serve ever ran
      removeWithSidecars(incoming); // left by a restore that was interrupted: only a restore writes it
      copyPrivately(source, incoming);
      int found = check(incoming, source);
      forgetTheBackupsProcesses(incoming);
      Migrations.Versions versions;
      try (Database db = Database.open(incoming)) {
        versions = new Migrations.Versions(found, db.read(c -> Migrations.versions(c, Dialect.SQLITE)).found());
        prepare.accept(db);
      }
      if (Files.exists(target)) {
        sameOwner(target, incoming);
      }
      Path kept = Files.exists(target) ? keepAside(target, sidecar(target, ".replaced-" + stamp)) : null;
      Files.deleteIfExists(sidecar(target, "-shm"));
      // what closing left of the copy's WAL (nothing, normally) goes with it, or its last commits would be lost
      moveIfExists(sidecar(incoming, "-wal"), sidecar(target, "-wal"));
      Files.deleteIfExists(sidecar(incoming, "-shm"));
      Files.move(incoming, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      SqliteEngine.syncDirectory(target.getParent(), "the restore is done");
      return new Restored(versions, target, kept);
    } catch (IOException e) {
      removeQuietly(incoming);
      throw new DatabaseException("restore of " + source + " to " + target + " failed: " + SqliteEngine.fileProblem(e), e);
    } catch (RuntimeException e) {
      removeQuietly(incoming);
      throw e;
    }
  }

  /**
   * The copy must be a bridge database this release can migrate: SQLite's quick_check passes, its
   * schema version is known, its tables are the bridge's. Answers the schema version.
   */
  private static int check(Path copy, Path named) {
    try (Connection c = SqliteEngine.connect("jdbc:sqlite:" + copy, Database.Access.READ_ONLY)) {
      List<String> problems = SqliteEngine.quickCheck(c);
      if (!problems.equals(List.of("ok"))) {
        throw BridgeFile.notABridgeDatabase(named, "SQLite's quick_check finds it damaged: " + String.join("; ", problems));
      }
      Migrations.Versions v = Migrations.versions(c, Dialect.SQLITE);
      if (v.found() > v.known()) {
        throw new SchemaVersionException("backup " + named + " has schema version " + v.found() + ", newer than this"
            + " fulcrum-scim knows (" + v.known() + "): restore it with the release that wrote it; nothing was changed", true);
      }
      BridgeFile.requireTables(c, v.found(), named);
      return v.found();
    } catch (SQLException e) {
      throw BridgeFile.notABridgeDatabase(named, e.getMessage().replaceAll("\\s+", " "));
    }
  }

  /** See {@link Migrations#forgetTheBackupsProcesses}. */
  private static void forgetTheBackupsProcesses(Path copy) {
    try (Connection c = SqliteEngine.connect("jdbc:sqlite:" + copy, Database.Access.READ_WRITE)) {
      Migrations.forgetTheBackupsProcesses(c, Dialect.SQLITE);
    } catch (SQLException e) {
      throw new DatabaseException("cannot clear the backup's writer lease and operator requests in " + copy + ": "
          + e.getMessage() + "; nothing was changed", e);
    }
  }

  /**
   * Who holds a live writer lease on the SQLite file at {@code path}, read whatever its schema (a
   * daemon of an older release may be writing to it), and what to do before running {@code command}
   * again; empty when no one does, or when the file cannot be read as a database at all (then nothing
   * can be writing to it).
   */
  public static Optional<String> liveWriter(Path path, String command) {
    if (!Files.exists(path)) {
      return Optional.empty();
    }
    try (Connection c = SqliteEngine.connect("jdbc:sqlite:" + path, Database.Access.READ_ONLY)) {
      return Migrations.liveWriter(c, Dialect.SQLITE, path.toString(), command);
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  /**
   * The database a restore replaces, opened read-only as it is, damaged or of an older schema (a
   * restore is made because something went wrong): what it holds that the backup lacks is carried
   * forward from it. {@code damage}: what SQLite's quick_check finds wrong (empty: nothing).
   */
  public record Replaced(Connection connection, Migrations.Versions versions, List<String> damage) implements AutoCloseable {
    @Override
    public void close() throws SQLException {
      connection.close();
    }
  }

  /** Opens {@code file} as {@link Replaced}; fails only when it cannot be read as a SQLite database at all. */
  public static Replaced openReplaced(Path file) throws SQLException {
    Connection c = SqliteEngine.connect("jdbc:sqlite:" + file.toAbsolutePath(), Database.Access.READ_ONLY);
    try {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA query_only = ON");
      }
      Migrations.Versions versions = Migrations.versions(c, Dialect.SQLITE);
      List<String> problems;
      try {
        problems = SqliteEngine.quickCheck(c);
      } catch (SQLException e) {
        // a damaged page can stop the check itself; the reads that follow find what is still readable
        problems = List.of(e.getMessage().replaceAll("\\s+", " "));
      }
      return new Replaced(c, versions, problems.equals(List.of("ok")) ? List.of() : problems);
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** A copy of the database and its WAL, each mode 0600: the WAL may hold commits the file does not yet. */
  private static Path keepAside(Path target, Path aside) throws IOException {
    copyPrivately(target, aside);
    Path wal = sidecar(target, "-wal");
    if (Files.exists(wal)) {
      copyPrivately(wal, sidecar(aside, "-wal"));
      Files.delete(wal);
    }
    return aside;
  }

  /**
   * The restored file belongs to whoever owned the one it replaces: run as root (not `sudo -u
   * fulcrum-scim`), the restore would leave a file the service's user cannot open. The store's lock
   * file is given away the same way.
   */
  static void sameOwner(Path of, Path to) throws IOException {
    PosixFileAttributes was = Files.readAttributes(of, PosixFileAttributes.class);
    PosixFileAttributes is = Files.readAttributes(to, PosixFileAttributes.class);
    if (!was.owner().equals(is.owner())) {
      Files.setOwner(to, was.owner());
    }
    if (!was.group().equals(is.group())) {
      Files.getFileAttributeView(to, PosixFileAttributeView.class).setGroup(was.group());
    }
  }

  private static void copyPrivately(Path from, Path to) throws IOException {
    try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
        FileChannel out = FileChannel.open(to, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      long size = in.size();
      for (long done = 0; done < size; ) {
        done += in.transferTo(done, size - done, out);
      }
      out.force(true);
    }
  }

  private static void moveIfExists(Path from, Path to) throws IOException {
    if (Files.exists(from)) {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void removeWithSidecars(Path file) throws IOException {
    Files.deleteIfExists(file);
    Files.deleteIfExists(sidecar(file, "-wal"));
    Files.deleteIfExists(sidecar(file, "-shm"));
  }

  private static void removeQuietly(Path file) {
    try {
      removeWithSidecars(file);
    } catch (IOException ignored) {
      // the failure being reported matters more; a later restore removes it
    }
  }

  private static Path sidecar(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }
}
