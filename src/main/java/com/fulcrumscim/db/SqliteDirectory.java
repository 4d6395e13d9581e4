package com.fulcrumscim.db;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;

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
  /** Linux's limit on the symbolic links one path's resolution follows. */
  private static final int MAX_LINKS = 40;

  private SqliteDirectory() {}

  /** What is wrong with {@code database}'s place, in words after "storage.path: "; empty when serve can use it. */
  public static Optional<String> problem(Path database) {
    Path file = database.toAbsolutePath();
    // SQLite's -wal and -shm, and the lock file, go beside the file a symlinked storage.path points to
    Optional<String> directory = missingTargetDirectory(file).or(() -> directoryProblem(real(file)));
    if (directory.isPresent()) {
      return directory;
    }
    if (Files.exists(file) && !(Files.isReadable(file) && Files.isWritable(file))) {
      return Optional.of("file " + file + " is not readable and writable by user " + user()
          + chown(real(file), user()).map(advice -> "; " + advice).orElse(""));
    }
    return Optional.empty();
  }

  /**
   * A symbolic link whose target's directory is not there: serve makes the link's own directory, never
   * the target's, and SQLite could not create the file, so the nearest directory above the target that
   * exists, writable or not, would tell nothing.
   */
  private static Optional<String> missingTargetDirectory(Path file) {
    if (!Files.isSymbolicLink(file) || Files.exists(file)) {
      return Optional.empty();
    }
    Path target = real(file);
    Path missing = target.getParent();
    if (missing == null || Files.exists(missing)) {
      return Optional.empty();
    }
    return Optional.of(file + " is a symbolic link to " + target + ", whose directory " + missing + " does not exist:"
        + " create that directory, or point the link (or storage.path) at the database");
  }

  /** What is wrong with the nearest directory above {@code file} that exists, for making files in. */
  private static Optional<String> directoryProblem(Path file) {
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
      return Optional.of(cannotOpen(absolute, "permission denied on directory " + unsearchable(real(absolute))));
    } catch (IOException e) {
      return Optional.empty();
    }
    return Files.isReadable(absolute) ? Optional.empty() : Optional.of(cannotOpen(absolute, "permission denied"));
  }

  /**
   * Why this user could not open the file {@code file} SQLite failed to open ({@code e}): {@link #unreadable},
   * or, when SQLite was refused a file it writes, a directory it may not create files in, since a reader of
   * a database in WAL mode creates its {@code -shm} file beside it (a 0644 file a restore outside the bridge
   * left, in a 0755 directory). Asked only after SQLite failed: with the service running, that file is there
   * and the same reader may well succeed. Any other failure (a damaged file, a lock) is SQLite's to word.
   */
  public static Optional<String> unopenable(Path file, SQLException e) {
    Optional<String> unreadable = unreadable(file);
    if (unreadable.isPresent()) {
      return unreadable;
    }
    Path absolute = file.toAbsolutePath();
    Path dir = real(absolute).getParent();
    if (!Files.isRegularFile(absolute) || !refusedAFile(e) || Files.isWritable(dir) && Files.isExecutable(dir)) {
      return Optional.empty();
    }
    if (readOnlyMount(dir)) {
      // no user may write there: running it as another would not help
      return Optional.of("cannot open " + absolute + ": directory " + dir
          + " is on a read-only file system (SQLite creates its -shm file there)");
    }
    return Optional.of(cannotOpen(absolute, "directory " + dir + " is not writable (SQLite creates its -shm file there)"));
  }

  /** SQLITE_READONLY (a -shm or journal it may not create) or SQLITE_CANTOPEN (one it may not open), any extended code. */
  private static boolean refusedAFile(SQLException e) {
    int primary = e.getErrorCode() & 0xff;
    return primary == 8 || primary == 14;
  }

  private static boolean readOnlyMount(Path dir) {
    try {
      return Files.getFileStore(dir).isReadOnly();
    } catch (IOException notToBeSeen) {
      return false;
    }
  }

  /** "cannot open FILE as user U: WHY", and what to do ({@link #asServiceUser}). */
  static String cannotOpen(Path file, String why) {
    return "cannot open " + file + " as user " + user() + ": " + why + asServiceUser(file);
  }

  /**
   * What to do when this user may not use the store's file {@code file}, judged where it really is
   * (the target of a symlinked storage.path). A file a restore run as root left is to be given to
   * the service where it is sure who that is ({@link #chown}). Otherwise run the command as the user the file (or the nearest directory above it
   * this user may see) belongs to, which is the service's own in any install (a tarball's or a
   * container's user need not be the packages' fulcrum-scim); when that owner is root or this user,
   * which names no one, that owner and the service's user, fulcrum-scim only as the packages' user.
   * Nothing more when this is the packages' user.
   */
  static String asServiceUser(Path file) {
    return advice(real(file.toAbsolutePath()), user());
  }

  /** {@link #asServiceUser} for the real path {@code file} and the user named {@code user}. */
  static String advice(Path file, String user) {
    Optional<String> chown = chown(file, user);
    if (chown.isPresent()) {
      return "; " + chown.get();
    }
    if (SERVICE_USER.equals(user)) {
      return "";
    }
    Optional<Path> seen = nearestSeen(file);
    Optional<String> owner = seen.flatMap(SqliteDirectory::owner);
    if (owner.isPresent() && !owner.get().equals(user) && !owner.get().equals("root")) {
      return "; it belongs to user " + owner.get() + ": run it as that user (" + sudo(owner.get()) + ")";
    }
    // nothing here names the service's user (a root-owned 0755 directory, a container's): say what is seen
    String known = seen.map(p -> (p.equals(file) ? "it" : p.toString()) + " belongs to user " + owner.get() + ": ").orElse("");
    return "; " + known + "run it as the service's user (for the packaged service's user, " + sudo(SERVICE_USER) + ")";
  }

  /**
   * "chown" advice, only where it surely gives the file to the service: a file of root's in a directory
   * of this user's own (the service run as itself, review-s11g F4), and a choice for another user's file
   * there (review-s12a F1); a file of root's (a restore run as root) in a directory its group may write
   * in (a setgid deploy directory, a Kubernetes fsGroup volume) to that group, since the service may be
   * any user of it and its directory's owner need not be (review-s11e F4, s11g F5), or to serve's user
   * where that group is shared (review-s13a 4); and a file of root's in a directory only its owner may
   * write in, to that owner. None for a file of another user's in a directory it does not own, the
   * service's own in a host's volume, which the chown would take from it (review-s11e F1), nor for a
   * directory of root's (or its group's) or of everyone's, which names no one.
   */
  private static Optional<String> chown(Path file, String user) {
    Optional<PosixFileAttributes> dir = attributes(file.getParent());
    Optional<String> fileOwner = owner(file);
    if (dir.isEmpty() || fileOwner.isEmpty()) {
      return Optional.empty();
    }
    String dirOwner = dir.get().owner().getName();
    Set<PosixFilePermission> modes = dir.get().permissions();
    String notTheDirectorys = "it belongs to user " + fileOwner.get() + ", not to its directory's owner: chown ";
    if (!dirOwner.equals("root") && dirOwner.equals(user) && !fileOwner.get().equals(user)) {
      if (fileOwner.get().equals("root")) {
        return Optional.of(notTheDirectorys + chownSpec(user) + " " + file);
      }
      // the service run as itself with another user's file in its directory, or a deploy user owning the
      // directory of a service that runs as the file's owner: ownership cannot tell, and the chown would
      // take the live database from the second (review-s12a F1), so the choice is the operator's
      return Optional.of("it belongs to user " + fileOwner.get() + ", not to its directory's owner " + user
          + ": if serve runs as " + fileOwner.get() + ", run this command as that user (" + sudo(fileOwner.get())
          + "); if it runs as " + user + ", chown " + chownSpec(user) + " " + file);
    }
    if (!fileOwner.get().equals("root")) {
      return Optional.empty();
    }
    String group = dir.get().group().getName();
    if (modes.contains(PosixFilePermission.GROUP_WRITE) && !group.equals("root") && !sticky(file.getParent())) {
      // without the sticky bit every user of the group may rename or delete the database there, whoever
      // owns it, and a serve outside the group could not create -wal and -shm beside it (review-s13d 8)
      return Optional.of("it belongs to user root, in a directory group " + group + " may write in, where every user of "
          + group + " may rename or delete it: move it to a directory only serve's user may write in (and storage.path"
          + " with it); if that group is serve's own (a setgid deploy directory, a Kubernetes fsGroup volume), chown :"
          + group + " " + file + " && chmod g+rw " + file + " instead");
    }
    if (modes.contains(PosixFilePermission.GROUP_WRITE) && !group.equals("root")) {
      // the group may be the service's (a setgid deploy directory, an fsGroup volume) or everyone's
      // (root:users 2775): ownership cannot tell, and g+rw hands the database to every user of the group
      // (review-s13a 4), so the choice is the operator's
      return Optional.of("it belongs to user root, in a directory group " + group + " may write in: if serve runs as a user"
          + " of group " + group + " (a setgid deploy directory, a Kubernetes fsGroup volume), chown :" + group + " "
          + file + " && chmod g+rw " + file + "; if " + group + " is shared with other users, chown <serve's user>: " + file
          + " instead (g+rw lets every user of " + group + " write it)");
    }
    if (dirOwner.equals("root") || modes.contains(PosixFilePermission.OTHERS_WRITE)) {
      return Optional.empty();
    }
    return Optional.of(notTheDirectorys + chownSpec(dirOwner) + " " + file + ", then run it as that user (" + sudo(dirOwner) + ")");
  }

  /**
   * chown's owner for {@code user}: "name:" also gives the name's login group; a bare uid (no passwd
   * entry, so no login group) takes no colon, which GNU chown refuses after a number alone.
   */
  private static String chownSpec(String user) {
    return user.chars().allMatch(Character::isDigit) ? user : user + ":";
  }

  /** The command as {@code user}: a user with no passwd entry (a container's) is a bare number, which sudo takes as '#<uid>'. */
  private static String sudo(String user) {
    return "sudo -u " + (user.chars().allMatch(Character::isDigit) ? "'#" + user + "'" : user) + " fulcrum-scim ...";
  }

  /**
   * Where {@code file} really is: its real path where this user may resolve it, else the end of its
   * chain of symbolic links, read link by link (which needs only each link's directory), else itself.
   * The whole chain: a link to a link to a missing directory passed as the second link's own
   * directory (review-s13d 3).
   */
  static Path real(Path file) {
    try {
      return file.toRealPath();
    } catch (IOException unresolved) {
      // a directory on the way this user may not search, or no file there yet
    }
    Path at = file;
    for (int links = 0; links < MAX_LINKS; links++) {
      Path parent = at.getParent();
      try {
        parent = parent.toRealPath();
        // not normalize(): "sub/../x" through a linked "sub" is x beside sub's target, as the kernel reads it,
        // not beside the link (review-s15b F2); the next hop's toRealPath reads ".." as the kernel does
        at = parent.resolve(Files.readSymbolicLink(at));
      } catch (IOException | UnsupportedOperationException notALinkToRead) {
        return parent.resolve(at.getFileName());
      }
    }
    return at; // a loop: SQLite's open says so
  }

  /** {@code file}, or the nearest directory above it, whose owner this user may see. */
  private static Optional<Path> nearestSeen(Path file) {
    for (Path p = file; p != null; p = p.getParent()) {
      if (owner(p).isPresent()) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Whether {@code dir} has the sticky bit, which lets only a file's owner rename or delete it there. */
  private static boolean sticky(Path dir) {
    try {
      return ((Integer) Files.getAttribute(dir, "unix:mode") & 01000) != 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException notToBeSeen) {
      return false;
    }
  }

  /** {@code dir}'s owner, group and modes; empty when this user may not see them. */
  private static Optional<PosixFileAttributes> attributes(Path dir) {
    try {
      return Optional.of(Files.readAttributes(dir, PosixFileAttributes.class));
    } catch (IOException | UnsupportedOperationException notToBeSeen) {
      return Optional.empty();
    }
  }

  /** Whose {@code path} is; empty when it is not there, or in a directory this user may not search. */
  private static Optional<String> owner(Path path) {
    try {
      return Optional.of(Files.getOwner(path).getName());
    } catch (IOException notToBeSeen) {
      return Optional.empty();
    }
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

  /** This process's user: its name, or its number where it has no passwd entry (a container's), which Java names "?". */
  private static String user() {
    String name = System.getProperty("user.name");
    if (!"?".equals(name)) {
      return name;
    }
    try {
      return Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString();
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException noProcToAsk) {
      return name;
    }
  }
}
