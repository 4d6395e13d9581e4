package com.fulcrumscim.db;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operating system's exclusive lock on {@code <storage.path>.lock} (beside the file a symbolic
 * storage.path leads to), held by {@code serve} from
 * before it opens the SQLite file until it exits, by each command that replaces or rewrites the
 * file wholesale (restore, db copy|migrate|mark-restored) for its whole run, and by an acting
 * command while it does its work itself with no daemon (see {@code CommandChannel}): a restore
 * swapping the file under it would keep what it wrote only in the replaced file. The writer lease cannot
 * do this job: {@code serve} takes it last, after opening and migrating the file and checking
 * Fulcrum, and a restore that looked only at the lease swapped the file under a daemon still
 * starting, which then acknowledged SCIM changes into the replaced file.
 *
 * <p>A file of its own, not the database: POSIX locks on a file are dropped when the process closes
 * any descriptor to it, and SQLite opens and closes several. The lock ends with its process, so a
 * crash leaves no stale lock: the file is never removed (a process that removed it could leave two
 * others each locking a file of that name) and its existence means nothing. It holds one line
 * naming its holder, for the refusal.
 *
 * <p>Within one JVM (tests, the demo) a second taker is refused from a table of the locks this JVM
 * holds, before it opens the file: closing a descriptor of its own would drop this process's lock.
 * The table is keyed by the file itself (device and inode), not by its name: a hard link or a bind
 * mount reaches one lock file under two real paths.
 * PostgreSQL has no file to swap, and several nodes share it by design: no lock there.
 */
public final class StoreLock implements AutoCloseable {
  /** Another process (or this JVM) holds the lock: the message names the file, the holder and what to do. */
  public static final class InUseException extends DatabaseException {
    private final boolean serve;

    InUseException(String message, boolean serve) {
      super(message, null);
      this.serve = serve;
    }

    /** Whether its holder is {@code serve}, which holds it until stopped, not a command that ends by itself. */
    public boolean serve() {
      return serve;
    }
  }

  /**
   * Who holds the lock, as the one line it writes in the file names it: "serve (4242@host, since
   * 2026-12-06T12:57:23Z)". {@link #UNKNOWN}: a holder whose line could not be read (in the instant
   * between its lock and its write, or not a line this release writes).
   */
  public record Holder(String command, String process, Instant since) {
    public static final Holder UNKNOWN = new Holder(null, null, null);
    private static final Pattern LINE = Pattern.compile("(.+) \\((\\S+), since (\\S+)\\)");

    /** This process, taking the lock now for {@code command}. */
    static Holder here(String command) {
      return new Holder(command, ManagementFactory.getRuntimeMXBean().getName(), Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    /** The holder {@code line} names, as {@link #toString} writes it. */
    static Holder read(String line) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        return UNKNOWN;
      }
      try {
        return new Holder(m.group(1), m.group(2), Instant.parse(m.group(3)));
      } catch (DateTimeParseException e) {
        return UNKNOWN;
      }
    }

    /** Whether it is {@code serve}, which holds it until stopped, not a command that ends by itself. */
    public boolean serve() {
      return "serve".equals(command);
    }

    /** The holder's line. */
    @Override
    public String toString() {
      return command == null ? "another fulcrum-scim process" : command + " (" + process + ", since " + since + ")";
    }
  }

  /** The holders of the locks this JVM holds, by their file's {@link FileIdentity}. */
  private static final Map<Object, Holder> HELD_HERE = new HashMap<>();
  /**
   * Channels to a file this JVM had locked under another name linked to it in the instant between
   * the look in {@link #HELD_HERE} and the open: closing one would drop that lock, so they stay open
   * as long as the process.
   */
  private static final List<FileChannel> KEPT_OPEN = new ArrayList<>();
  private static final int LOCK_TRIES = 10;
  private static final long LOCK_RETRY_MS = 50;

  private final Object key;
  private final FileChannel channel;
  private final FileLock lock;

  private StoreLock(Object key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of the store at {@code location} for {@code command} (its name, as the refusal
   * of another process shows it: "serve", "restore"), or refuses at once with {@link InUseException}
   * while another process or another taker in this JVM holds it. Nothing to take on PostgreSQL.
   */
  public static StoreLock take(StoreLocation location, String command) {
    if (!(location instanceof StoreLocation.SqliteFile sqlite)) {
      return new StoreLock(null, null, null);
    }
    Path database = sqlite.path().toAbsolutePath();
    Holder holder = Holder.here(command);
    try {
      Files.createDirectories(database.getParent()); // serve's first start, a restore onto a new host
      Path file = lockFile(database);
      // A few tries over half a second: {@link #holder} (a cron'd `status`) holds the lock shared
      // for an instant, and a taker in that instant must not exit "in use" for it (systemd would
      // restart serve; an operator's restore would fail once). A real holder keeps it far longer.
      // The waits are outside the table's monitor: other takers and readers in this JVM go on.
      for (int attempt = 1; ; attempt++) {
        Optional<StoreLock> taken = tryTake(database, file, holder, attempt == LOCK_TRIES);
        if (taken.isPresent()) {
          return taken.get();
        }
        try {
          Thread.sleep(LOCK_RETRY_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw inUse(database, holderOf(file));
        }
      }
    } catch (IOException e) {
      throw new DatabaseException("cannot lock " + database + " against other fulcrum-scim processes: "
          + whyNot(database, e), e);
    }
  }

  /**
   * Why the lock could not be taken: a lock file this user may not open (another user made it, by hand
   * or as root by a release that did not give it the database's owner, or the command runs as another
   * user than the service's) gets the advice the database file would get in its place
   * ({@link SqliteDirectory#cannotOpen}), chown only where it surely reaches the service; with no lock
   * file there, what is wrong with the database's place. "chown" advice to the database's owner took a
   * service's own lock file from it where that owner was not the service (a database restored as root).
   */
  private static String whyNot(Path database, IOException e) {
    if (!(e instanceof AccessDeniedException)) {
      return SqliteEngine.fileProblem(e);
    }
    try {
      Path file = lockFile(database);
      if (Files.exists(file)) {
        return SqliteDirectory.cannotOpen(file, "permission denied");
      }
    } catch (IOException unresolved) {
      // a directory this user may not search: what is wrong with the database's place says so
    }
    return SqliteDirectory.problem(database).orElse(SqliteEngine.fileProblem(e)) + SqliteDirectory.asServiceUser(database);
  }

  /**
   * {@code <file>.lock} beside the file {@code database} leads to, as the file system names it: one
   * database file has one lock, whatever name reaches it. Beside a symbolic storage.path's link, a
   * restore or db copy on the file's own name took another lock than the serve on the link
   * (review-s13d 6).
   */
  private static Path lockFile(Path database) throws IOException {
    Path file = SqliteDirectory.real(database.getParent().toRealPath().resolve(database.getFileName()));
    return file.resolveSibling(file.getFileName() + ".lock");
  }

  /**
   * One try, under the table's monitor: the lock taken, or empty while another process holds it
   * (refused with {@link InUseException} on the {@code last} try, or while this JVM holds it). The
   * file is opened and, unless locked, closed again within the monitor: this JVM holds no lock on
   * it then (the table says so, and a lock of its own under a linked name throws instead), and no
   * other taker here can take one before the close, which would drop it.
   */
  private static Optional<StoreLock> tryTake(Path database, Path file, Holder holder, boolean last) throws IOException {
    synchronized (HELD_HERE) {
      Holder here = Files.exists(file) ? HELD_HERE.get(FileIdentity.of(file)) : null;
      if (here != null) {
        throw inUse(database, here);
      }
      FileChannel channel = open(file, database);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException linkedMeanwhile) {
        KEPT_OPEN.add(channel);
        throw inUse(database, Holder.UNKNOWN);
      }
      if (lock == null) { // another process's: this one holds no lock to drop
        Holder other = Holder.read(holderIn(channel));
        channel.close();
        if (last) {
          throw inUse(database, other);
        }
        return Optional.empty();
      }
      Object key;
      try {
        key = FileIdentity.of(file);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      } catch (IOException e) {
        channel.close(); // and the lock with it
        throw e;
      }
      HELD_HERE.put(key, holder);
      return Optional.of(new StoreLock(key, channel, lock));
    }
  }

  /** Who holds the lock of {@code file} as {@link #holder} reads it; unknown when it cannot be told. */
  private static Holder holderOf(Path file) {
    try {
      return holderAt(file).orElse(Holder.UNKNOWN);
    } catch (IOException e) {
      return Holder.UNKNOWN;
    }
  }

  /**
   * Whoever holds the lock of the store at {@code location} now, without taking it: for
   * {@code status}, which only reads. A shared lock is tried and let go at once, so a second reader
   * is not refused, and a taker in that very instant tries again ({@link #take}).
   * A holder in this JVM is read from the table, the file left unopened (see {@link #take}). Empty:
   * no one holds it, or PostgreSQL. {@link Holder#UNKNOWN}: a file this user cannot open (status
   * run as another user than the service's), which may be held: taken for free, a running serve
   * was named gone (review-s9a M3).
   */
  public static Optional<Holder> holder(StoreLocation location) {
    if (!(location instanceof StoreLocation.SqliteFile sqlite)) {
      return Optional.empty();
    }
    try {
      return holderAt(lockFile(sqlite.path().toAbsolutePath()));
    } catch (IOException e) {
      return Optional.of(Holder.UNKNOWN);
    }
  }

  private static Optional<Holder> holderAt(Path file) throws IOException {
    synchronized (HELD_HERE) {
      if (!Files.exists(file)) {
        return Optional.empty(); // serve writes it before it locks it: no file, no holder
      }
      Holder here = HELD_HERE.get(FileIdentity.of(file));
      if (here != null) {
        return Optional.of(here);
      }
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
      FileLock probe;
      try {
        probe = channel.tryLock(0, Long.MAX_VALUE, true);
      } catch (OverlappingFileLockException linkedMeanwhile) {
        KEPT_OPEN.add(channel);
        return Optional.of(Holder.UNKNOWN);
      }
      try (channel) {
        if (probe != null) {
          probe.release();
          return Optional.empty();
        }
        return Optional.of(Holder.read(holderIn(channel)));
      }
    }
  }

  /**
   * Opens the lock file, creating it (mode 0600) with the owner and group of the database, or of its
   * directory before there is one: run as root (postinst's `db migrate`, a restore not run as the
   * service's user), a root-owned file would keep the service from ever locking it again. SQLite
   * does the same for the -wal and -shm files it makes.
   */
  private static FileChannel open(Path file, Path database) throws IOException {
    FileChannel created;
    try {
      created = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
          StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException left) {
      return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    try {
      // no database yet: the directory the lock is in (beside the file a link leads to, not the link's)
      SqliteRestore.sameOwner(Files.exists(database) ? database : file.getParent(), file);
      return created;
    } catch (IOException e) {
      // not root, and not the database's owner: a file of ours would shut the service's user out
      created.close();
      Files.deleteIfExists(file);
      throw e;
    }
  }

  /** The line its holder wrote; empty in the instant between its lock and its write. */
  private static String holderIn(FileChannel channel) throws IOException {
    ByteBuffer line = ByteBuffer.allocate(512);
    channel.read(line, 0);
    return new String(line.array(), 0, line.position(), StandardCharsets.UTF_8).strip();
  }

  private static InUseException inUse(Path database, Holder holder) {
    String todo = holder.serve() ? "stop it first (systemctl stop fulcrum-scim)" : "let it finish first";
    return new InUseException(database + " is in use by " + holder + ": " + todo, holder.serve());
  }

  /** Releases the lock (and closes its file, which is left in place). */
  @Override
  public void close() {
    if (key == null) {
      return;
    }
    synchronized (HELD_HERE) {
      HELD_HERE.remove(key);
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        // the process ends soon after every release, and the lock with it
      }
    }
  }
}
