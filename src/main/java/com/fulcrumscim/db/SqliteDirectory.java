package com.fulcrumscim.db;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * Whether this user can keep the SQLite file at {@code storage.path}: serve creates the file, its
 * lock file and any missing directories, so the nearest directory that exists must be one this
 * user may search and create files in, and the file, if present, must be readable and writable.
 * Checked before anything is made there, by {@code check} and {@code serve} alike: a directory that
 * will not do is a config error (exit 2), which a restart cannot mend.
 */
public final class SqliteDirectory {
  /** The user the packages make and run the service as (README, "Install"). */
  private static final String SERVICE_USER = "fulcrum-scim";

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

  /**
   * Why this user cannot open the file {@code file}, in one line naming it, the user and what to do;
   * empty when it may read it, or when it is not there (the caller says that its own way). An
   * operator command run as another user than the service's (the forgotten {@code sudo -u}) meets
   * this, and must not hear "no database" or "not a fulcrum-scim database" for the live one:
   * {@link Files#exists} is false for a file in a directory this user may not search, so the file
   * system is asked itself.
   */
  public static Optional<String> unreadable(Path file) {
    Path absolute = file.toAbsolutePath();
    try {
      Files.readAttributes(absolute, BasicFileAttributes.class);
    } catch (AccessDeniedException e) {
      return Optional.of(cannotOpen(absolute, "permission denied on directory " + unsearchable(absolute)));
    } catch (IOException e) {
      return Optional.empty();
    }
    return Files.isReadable(absolute) ? Optional.empty() : Optional.of(cannotOpen(absolute, "permission denied"));
  }

  /** "cannot open FILE as user U: WHY", and to run the command as the service's user unless it is that user. */
  static String cannotOpen(Path file, String why) {
    return "cannot open " + file + " as user " + user() + ": " + why + asServiceUser(file);
  }

  /**
   * What to do when this user may not use the store's file {@code file}: run the command as the
   * user the file (or the nearest directory above it this user may see) belongs to, which is the
   * service's own in any install (a tarball's or a container's user need not be the packages'
   * fulcrum-scim); as the packages' user when that owner is root or this user. Nothing when this
   * is the packages' user.
   */
  static String asServiceUser(Path file) {
    if (SERVICE_USER.equals(user())) {
      return "";
    }
    return ownerOf(file).filter(owner -> !owner.equals(user()) && !owner.equals("root"))
        // a user with no passwd entry (a container's) is a bare number, which sudo takes as '#<uid>'
        .map(owner -> "; it belongs to user " + owner + ": run it as that user (sudo -u "
            + (owner.chars().allMatch(Character::isDigit) ? "'#" + owner + "'" : owner) + " fulcrum-scim ...)")
        .orElse("; run it as the service's user (sudo -u " + SERVICE_USER + " fulcrum-scim ...)");
  }

  private static Optional<String> ownerOf(Path file) {
    for (Path p = file.toAbsolutePath(); p != null; p = p.getParent()) {
      try {
        return Optional.of(Files.getOwner(p).getName());
      } catch (IOException notToBeSeen) {
        // not there, or in a directory this user may not search: the directory above says whose it is
      }
    }
    return Optional.empty();
  }

  /** The first directory above {@code file} this user may not search. */
  private static Path unsearchable(Path file) {
    Path found = file.getParent();
    for (Path dir = file.getParent(); dir != null; dir = dir.getParent()) {
      if (!Files.isExecutable(dir)) {
        found = dir;
      }
    }
    return found;
  }

  private static String user() {
    return System.getProperty("user.name");
  }
}
