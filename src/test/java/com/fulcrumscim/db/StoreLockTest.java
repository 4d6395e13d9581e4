package com.fulcrumscim.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fulcrumscim.testing.BridgeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock on {@code <storage.path>.lock} that serve and the commands replacing the file take. */
class StoreLockTest {
  @TempDir Path dir;

  StoreLocation at() {
    return new StoreLocation.SqliteFile(dir.resolve("bridge.db"));
  }

  @Test
  void aSecondTakerIsRefusedAtOnceNamingTheHolder() {
    try (StoreLock held = StoreLock.take(at(), "restore")) {
      assertThatThrownBy(() -> StoreLock.take(at(), "serve"))
          .isInstanceOf(StoreLock.InUseException.class)
          .hasMessageStartingWith(dir.resolve("bridge.db") + " is in use by restore (" + ProcessHandle.current().pid() + "@")
          .hasMessageEndingWith("): let it finish first");
    }
  }

  /**
   * Another process's {@code status} holds the lock shared for an instant to see who holds it: a
   * taker in that instant (serve starting, a restore) takes it once the look is over, not "in use".
   */
  @Test
  void aTakerTakesTheLockThatAnotherProcessLooksAtForAnInstant() throws Exception {
    Path lockFile = dir.resolve("bridge.db.lock");
    BridgeProcess looking = BridgeProcess.java(List.of(), SharedLockHolder.class.getName(), List.of(lockFile.toString(), "200"),
        Map.of());
    try {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> looking.output().contains("held"));
      try (StoreLock taken = StoreLock.take(at(), "serve")) {
        assertThat(StoreLock.holder(at())).hasValueSatisfying(h -> assertThat(h.command()).isEqualTo("serve"));
      }
    } finally {
      looking.close();
    }
  }

  /**
   * A taker trying over half a second while another process looks at its lock keeps no other taker
   * in this JVM waiting (a second store's, say): it waits outside the table of this JVM's locks.
   */
  @Test
  void aTakerTryingAgainKeepsNoOtherTakerInThisJvmWaiting() throws Exception {
    Path lockFile = dir.resolve("bridge.db.lock");
    BridgeProcess looking = BridgeProcess.java(List.of(), SharedLockHolder.class.getName(), List.of(lockFile.toString(), "10000"),
        Map.of());
    try {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> looking.output().contains("held"));
      AtomicLong refusedAt = new AtomicLong();
      Thread trying = new Thread(() -> {
        try {
          StoreLock.take(at(), "serve").close();
        } catch (StoreLock.InUseException e) {
          refusedAt.set(System.nanoTime());
        }
      });
      trying.start();
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
          .until(() -> trying.getState() == Thread.State.TIMED_WAITING); // between two tries

      long takenAt;
      try (StoreLock other = StoreLock.take(new StoreLocation.SqliteFile(dir.resolve("other/bridge.db")), "restore")) {
        takenAt = System.nanoTime();
      }
      trying.join();

      assertThat(refusedAt.get()).as("the first taker refused after its tries").isNotZero();
      assertThat(takenAt).as("the other store's lock taken while the first taker still tried").isLessThan(refusedAt.get());
    } finally {
      looking.close();
    }
  }

  /**
   * A second taker in the same JVM must not so much as open the file: closing its descriptor would
   * drop this process's POSIX lock, and another process could take it while the first still runs.
   */
  @Test
  void aSecondTakerInThisJvmLeavesTheFirstsLockInForceAgainstOtherProcesses() throws Exception {
    Path config = Files.writeString(dir.resolve("config.yml"), "storage:\n  path: " + dir.resolve("bridge.db") + "\n");
    try (StoreLock held = StoreLock.take(at(), "serve")) {
      assertThatThrownBy(() -> StoreLock.take(at(), "restore")).isInstanceOf(StoreLock.InUseException.class);

      BridgeProcess.CommandRun migrate = BridgeProcess.command(config, "db", "migrate");

      assertThat(migrate.exit()).as(migrate.out() + migrate.err()).isEqualTo(2);
      assertThat(migrate.err().strip()).startsWith(dir.resolve("bridge.db") + " is in use by serve (" + ProcessHandle.current().pid() + "@")
          .endsWith("): stop it first (systemctl stop fulcrum-scim); nothing was changed");
    }
    assertThat(dir.resolve("bridge.db")).as("db migrate changed nothing").doesNotExist();
  }

  /**
   * One lock file under two real paths (a hard link, a bind mount): the second taker is refused by
   * the file, not by its name, before it opens it, so the first's lock stays in force.
   */
  @Test
  void aSecondTakerReachingTheLockFileByAnotherNameLeavesTheFirstsLockInForce() throws Exception {
    Path first = Files.createDirectories(dir.resolve("first")).resolve("bridge.db");
    Path second = Files.createDirectories(dir.resolve("second")).resolve("bridge.db");
    Path config = Files.writeString(dir.resolve("config.yml"), "storage:\n  path: " + first + "\n");
    try (StoreLock held = StoreLock.take(new StoreLocation.SqliteFile(first), "serve")) {
      Files.createLink(dir.resolve("second/bridge.db.lock"), dir.resolve("first/bridge.db.lock"));

      assertThatThrownBy(() -> StoreLock.take(new StoreLocation.SqliteFile(second), "restore"))
          .isInstanceOf(StoreLock.InUseException.class).hasMessageContaining(" is in use by serve (");

      BridgeProcess.CommandRun migrate = BridgeProcess.command(config, "db", "migrate");
      assertThat(migrate.exit()).as(migrate.out() + migrate.err()).isEqualTo(2);
      assertThat(migrate.err()).contains(first + " is in use by serve (" + ProcessHandle.current().pid() + "@");
    }
  }

  /**
   * review-s13d 6: serve on a symbolic storage.path locked {@code <link>.lock} beside the link, and a restore
   * or db copy on the file's own name {@code <file>.lock}: two locks for one file.
   */
  @Test
  void aTakerByALinksNameAndOneByTheFilesOwnNameTakeOneLock() throws Exception {
    Path file = Files.createDirectories(dir.resolve("data")).resolve("bridge.db");
    Path link = Files.createSymbolicLink(dir.resolve("link.db"), file);
    try (StoreLock held = StoreLock.take(new StoreLocation.SqliteFile(link), "serve")) {
      assertThatThrownBy(() -> StoreLock.take(new StoreLocation.SqliteFile(file), "restore"))
          .isInstanceOf(StoreLock.InUseException.class)
          .hasMessageStartingWith(file + " is in use by serve (" + ProcessHandle.current().pid() + "@");
      assertThat(dir.resolve("data/bridge.db.lock")).content().startsWith("serve (");
    }
  }

  @Test
  void closingReleasesTheLock() {
    StoreLock.take(at(), "db copy").close();

    try (StoreLock again = StoreLock.take(at(), "serve")) {
      assertThat(dir.resolve("bridge.db.lock")).content().startsWith("serve (");
    }
  }

  /** A crash leaves the file; the operating system ended the lock with the process. */
  @Test
  void aLockFileLeftBehindIsNoLock() throws Exception {
    Files.writeString(dir.resolve("bridge.db.lock"), "serve (4242@gone, since 2026-01-01T00:00:00Z)\n");

    try (StoreLock taken = StoreLock.take(at(), "restore")) {
      assertThat(dir.resolve("bridge.db.lock")).content().startsWith("restore (" + ProcessHandle.current().pid() + "@");
    }
  }

  /** Run as root (postinst's db migrate, a restore without `sudo -u fulcrum-scim`): the service's user must lock it later. */
  @Test
  void aLockFileMadeByRootBelongsToTheDatabasesOwnerAndIsPrivate() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a file away");
    Path database = Files.createFile(dir.resolve("bridge.db"));
    UserPrincipalLookupService names = database.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(database, names.lookupPrincipalByName("nobody"));
    GroupPrincipal nobodys = nobodysGroup(names);
    Files.getFileAttributeView(database, PosixFileAttributeView.class).setGroup(nobodys);

    StoreLock.take(at(), "db migrate").close();

    PosixFileAttributes lock = Files.readAttributes(dir.resolve("bridge.db.lock"), PosixFileAttributes.class);
    assertThat(lock.owner().getName()).isEqualTo("nobody");
    assertThat(lock.group()).isEqualTo(nobodys);
    assertThat(PosixFilePermissions.toString(lock.permissions())).isEqualTo("rw-------");
  }

  /**
   * review-s14c F5: with no database yet, the lock beside the file a link leads to took the owner of
   * the link's directory, so a service user could not make it (EPERM) and root made it another's.
   */
  @Test
  void aFirstLockThroughALinkBelongsToTheOwnerOfTheDirectoryTheLinkLeadsTo() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a file away");
    Path data = Files.createDirectories(dir.resolve("data"));
    Path links = Files.createDirectories(dir.resolve("links"));
    UserPrincipalLookupService names = data.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(links, names.lookupPrincipalByName("nobody"));
    Path link = Files.createSymbolicLink(links.resolve("bridge.db"), data.resolve("bridge.db"));

    StoreLock.take(new StoreLocation.SqliteFile(link), "serve").close();

    assertThat(Files.getOwner(data.resolve("bridge.db.lock"))).isEqualTo(Files.getOwner(data));
  }

  /** Several nodes share one PostgreSQL database by design, and there is no file to swap. */
  @Test
  void onPostgresqlThereIsNothingToLock() {
    StoreLocation postgres = new StoreLocation.Postgres("jdbc:postgresql://db.internal/fulcrum_scim", null, null);

    try (StoreLock first = StoreLock.take(postgres, "serve"); StoreLock second = StoreLock.take(postgres, "serve")) {
      assertThat(dir).isEmptyDirectory();
    }
  }

  private static GroupPrincipal nobodysGroup(UserPrincipalLookupService names) throws IOException {
    try {
      return names.lookupPrincipalByGroupName("nogroup"); // Debian's
    } catch (UserPrincipalNotFoundException e) {
      return names.lookupPrincipalByGroupName("nobody");
    }
  }
}
