package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.BridgeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator commands run as another user than the service's (a forgotten {@code sudo -u
 * fulcrum-scim}, review-s10a F2 to F4), held to file modes as such a user is: one line naming the
 * database, the user and to run it as the service's user, never "no database", "not a fulcrum-scim
 * database" or a chown of a lock file that is not there.
 */
class WrongUserTest {
  static final String USER = System.getProperty("user.name");
  /** The advice where nothing names the service's user: the file is this user's own, as is its directory. */
  static final String AS_SERVICE_USER = "; it belongs to user " + USER + ": " + runAsServiceUser();

  @TempDir Path dir;
  Path data;
  Path database;
  Path config;

  @BeforeEach
  void aBridgeDatabase() throws Exception {
    data = Files.createDirectory(dir.resolve("data"));
    database = data.resolve("fulcrum-scim.db");
    Database.open(database).close();
    config = Files.writeString(dir.resolve("config.yml"), "storage:\n  path: " + database + "\n");
  }

  @Test
  void statusInADirectoryThisUserMayNotSearchSaysItCannotOpenTheDatabaseNotThatThereIsNone() throws Exception {
    BridgeProcess.CommandRun r = withModes(data, "---------", () -> BridgeProcess.commandBoundByFileModes(config, "status"));

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("cannot open " + database + " as user " + USER
        + ": permission denied on directory " + data + "; " + data.toRealPath() + " belongs to user " + USER + ": "
        + runAsServiceUser());
  }

  @Test
  void journalOnADatabaseThisUserMayNotReadSaysPermissionDeniedAndWhoseUserToRunItAs() throws Exception {
    BridgeProcess.CommandRun r = withModes(database, "---------", () -> BridgeProcess.commandBoundByFileModes(config, "journal", "list"));

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("cannot open " + database + " as user " + USER + ": permission denied" + AS_SERVICE_USER);
  }

  @Test
  void backupOfALiveDatabaseThisUserMayNotReadNeverCallsItNotAFulcrumScimDatabase() throws Exception {
    assertThat(backupRefusedWith(database, "---------"))
        .isEqualTo("cannot open " + database + " as user " + USER + ": permission denied" + AS_SERVICE_USER);
  }

  @Test
  void restoreInADirectoryThisUserMayNotWriteInSaysSoWithNoChownOfALockFileThatIsNotThere() throws Exception {
    Path backup = dir.resolve("backup.db");
    Database.open(backup).close();
    BridgeProcess.CommandRun r = withModes(data, "r-xr-xr-x",
        () -> BridgeProcess.commandBoundByFileModes(config, "restore", backup.toString()));

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("cannot lock " + database + " against other fulcrum-scim processes: directory "
        + data + " is not writable by user " + USER + AS_SERVICE_USER);
  }

  /**
   * Made by hand, or by the service itself: another user's lock file in a directory it does not own gets
   * the database file's advice in its place, not a chown to the database's owner, which (a database
   * restored as root) need not be the service.
   */
  @Test
  void aLockFileOfAnotherUserThanTheDatabasesGetsTheAdviceOfTheDatabasesFileNotAChownToItsOwner() throws Exception {
    assumeTrue("root".equals(USER), "only root gives a file away");
    Path lock = Files.writeString(data.resolve("fulcrum-scim.db.lock"), "");
    Files.setOwner(lock, lock.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    Path backup = dir.resolve("backup.db");
    Database.open(backup).close();

    BridgeProcess.CommandRun r = BridgeProcess.commandBoundByFileModes(config, "restore", backup.toString());

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("cannot lock " + database + " against other fulcrum-scim processes"
        + ": cannot open " + lock + " as user " + USER
        + ": permission denied; it belongs to user nobody: run it as that user (sudo -u nobody fulcrum-scim ...)");
  }

  /** A tarball's or a container's service user need not be the packages' fulcrum-scim: the file's owner is named. */
  @Test
  void aDatabaseOfAnotherUserNamesThatUserToRunItAs() throws Exception {
    assumeTrue("root".equals(USER), "only root gives a file away");
    Files.setOwner(database, database.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    BridgeProcess.CommandRun r = withModes(database, "rw-------", () -> BridgeProcess.commandBoundByFileModes(config, "status"));

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("cannot open " + database + " as user " + USER
        + ": permission denied; it belongs to user nobody: run it as that user (sudo -u nobody fulcrum-scim ...)");
  }

  /** A container's user often has no passwd entry: its bare number is written as sudo takes one. */
  @Test
  void aDatabaseOfAUserWithNoNameNamesItsNumberAsSudoTakesIt() throws Exception {
    assertThat(statusRefusedWith(database, 54321, "rw-------"))
        .endsWith("; it belongs to user 54321: run it as that user (sudo -u '#54321' fulcrum-scim ...)");
  }

  /** A 0644 file a restore outside the bridge left in a 0755 directory: a reader in WAL mode must create -shm there. */
  @Test
  void statusOnADatabaseThisUserMayReadInADirectoryItMayNotWriteInSaysItCannotOpenItAsThisUser() throws Exception {
    BridgeProcess.CommandRun r = withModes(data, "r-xr-xr-x", () -> BridgeProcess.commandBoundByFileModes(config, "status"));

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo(cannotCreateShm());
  }

  @Test
  void backupOfALiveDatabaseThisUserMayReadInADirectoryItMayNotWriteInNeverCallsItNotAFulcrumScimDatabase() throws Exception {
    assertThat(backupRefusedWith(data, "r-xr-xr-x")).isEqualTo(cannotCreateShm());
  }

  /** review-s11e F5: a damaged file in a directory this user may not write in is SQLite's to word, not the directory's. */
  @Test
  void statusOnADamagedFileInADirectoryThisUserMayNotWriteInSaysWhatSqliteSays() throws Exception {
    Files.write(database, new byte[8192]); // not an SQLite header
    Files.deleteIfExists(data.resolve("fulcrum-scim.db-wal"));
    BridgeProcess.CommandRun r = withModes(data, "r-xr-xr-x", () -> BridgeProcess.commandBoundByFileModes(config, "status"));

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.err()).contains("not a database").doesNotContain("not writable").doesNotContain("sudo");
  }

  /** review-s11e F5: on a read-only mount no user may create the -shm file: running it as another would not help. */
  @Test
  void statusOnADatabaseOnAReadOnlyMountSaysSoAndNamesNoUser() throws Exception {
    assumeTrue("root".equals(USER), "only root mounts");
    Path mount = Files.createDirectory(dir.resolve("ro"));
    assumeTrue(run("mount", "-t", "tmpfs", "tmpfs", mount.toString()) == 0, "this machine lets root mount a tmpfs");
    try {
      Path onMount = mount.resolve("fulcrum-scim.db");
      Database.open(onMount).close();
      assertThat(run("mount", "-o", "remount,ro", mount.toString())).isZero();
      Path roConfig = Files.writeString(dir.resolve("ro.yml"), "storage:\n  path: " + onMount + "\n");
      BridgeProcess.CommandRun r = BridgeProcess.commandBoundByFileModes(roConfig, "status");

      assertThat(r.exit()).as(r.out()).isEqualTo(1);
      assertThat(r.err().strip()).isEqualTo("cannot open " + onMount + ": directory " + mount.toRealPath()
          + " is on a read-only file system (SQLite creates its -shm file there)");
    } finally {
      run("umount", mount.toString());
    }
  }

  private static String runAsServiceUser() {
    return "run it as the service's user (for the packaged service's user, sudo -u fulcrum-scim fulcrum-scim ...)";
  }

  private static int run(String... command) throws Exception {
    return new ProcessBuilder(command).inheritIO().start().waitFor();
  }

  private String cannotCreateShm() throws Exception {
    return "cannot open " + database + " as user " + USER + ": directory " + data.toRealPath()
        + " is not writable (SQLite creates its -shm file there)" + AS_SERVICE_USER;
  }

  /** {@code backup} with {@code path} at {@code modes}, refused (exit 1) with no copy made; answers its line. */
  private String backupRefusedWith(Path path, String modes) throws Exception {
    Path target = dir.resolve("today.db");
    BridgeProcess.CommandRun r = withModes(path, modes, () -> BridgeProcess.commandBoundByFileModes(config, "backup", target.toString()));

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(target).doesNotExist();
    return r.err().strip();
  }

  /** A restore (cp, litestream) run as root into the service's directory: the file is to be given to that directory's owner. */
  @Test
  void aRootOwnedDatabaseInTheServicesDirectoryIsToBeGivenToThatDirectorysOwner() throws Exception {
    assertThat(statusRefusedWith(data, 54321, "---------")).isEqualTo("cannot open " + database + " as user root: permission denied;"
        + " it belongs to user root, not to its directory's owner: chown 54321 " + database.toRealPath()
        + ", then run it as that user (sudo -u '#54321' fulcrum-scim ...)");
  }

  /** {@code status} with {@code given} given to the user {@code uid} and the database at {@code modes}, refused (exit 1); answers its line. */
  private String statusRefusedWith(Path given, int uid, String modes) throws Exception {
    assumeTrue("root".equals(USER), "only root gives a file away");
    Files.setAttribute(given, "unix:uid", uid);
    BridgeProcess.CommandRun r = withModes(database, modes, () -> BridgeProcess.commandBoundByFileModes(config, "status"));

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    return r.err().strip();
  }

  /** serve refuses the same file at start: check, which says what serve would, gives the same advice. */
  @Test
  void checkOnARootOwnedDatabaseInTheServicesDirectorySaysToGiveItToThatDirectorysOwner() throws Exception {
    assumeTrue("root".equals(USER), "only root gives a file away");
    Files.setAttribute(data, "unix:uid", 54321);
    // the directory serve needs, for this user through its group root (one everyone may write in names no service user)
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxr-x"));
    BridgeProcess.CommandRun r = withModes(database, "---------", () -> BridgeProcess.commandBoundByFileModes(config, "check"));

    assertThat(r.exit()).as(r.out()).isEqualTo(2);
    assertThat(r.err()).contains("storage.path: file " + database + " is not readable and writable by user root; it belongs to"
        + " user root, not to its directory's owner: chown 54321 " + database.toRealPath());
  }

  /** The advice is for where the file really is: the link's directory is searchable, and its owner is not the service. */
  @Test
  void aSymlinkedStoragePathNamesTheTargetsDirectoryAndItsOwner() throws Exception {
    assumeTrue("root".equals(USER), "only root gives a file away");
    Path link = Files.createDirectory(dir.resolve("link"));
    Files.setAttribute(link, "unix:uid", 54322);
    Path linked = Files.createSymbolicLink(link.resolve("fulcrum-scim.db"), Path.of("..", "data", "fulcrum-scim.db"));
    Path linkedConfig = Files.writeString(dir.resolve("linked.yml"), "storage:\n  path: " + linked + "\n");
    Files.setAttribute(data, "unix:uid", 54321);
    BridgeProcess.CommandRun r = withModes(data, "rwx------", () -> BridgeProcess.commandBoundByFileModes(linkedConfig, "status"));

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("cannot open " + linked + " as user root: permission denied on directory " + data.toRealPath()
        + "; it belongs to user 54321: run it as that user (sudo -u '#54321' fulcrum-scim ...)");
  }

  /** serve's own check of storage.path, as check says it: SQLite makes its -wal and -shm files beside the link's target. */
  @Test
  void checkOnASymlinkedStoragePathNamesTheTargetsDirectoryItMayNotWriteIn() throws Exception {
    Path link = Files.createDirectory(dir.resolve("link"));
    Path linked = Files.createSymbolicLink(link.resolve("fulcrum-scim.db"), Path.of("..", "data", "fulcrum-scim.db"));
    Path linkedConfig = Files.writeString(dir.resolve("linked.yml"), "storage:\n  path: " + linked + "\n");
    BridgeProcess.CommandRun r = withModes(data, "r-xr-xr-x", () -> BridgeProcess.commandBoundByFileModes(linkedConfig, "check"));

    assertThat(r.exit()).as(r.out()).isEqualTo(2);
    assertThat(r.err()).contains("storage.path: directory " + data.toRealPath() + " is not writable by user " + USER);
  }

  private interface Run {
    BridgeProcess.CommandRun run() throws Exception;
  }

  /** {@code run} with {@code path} at {@code modes}, given back its own after. */
  private static BridgeProcess.CommandRun withModes(Path path, String modes, Run run) throws Exception {
    var own = Files.getPosixFilePermissions(path);
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(modes));
    try {
      return run.run();
    } finally {
      Files.setPosixFilePermissions(path, own);
    }
  }
}
