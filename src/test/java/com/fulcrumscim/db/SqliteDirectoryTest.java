package com.fulcrumscim.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The advice for a user who may not use the store's file, worded for users this test cannot run as:
 * the service's own (here a uid with no passwd entry) and the packages' fulcrum-scim.
 */
class SqliteDirectoryTest {
  @TempDir Path dir;

  /** review-s15b F2: the text's ".." named a/real.db, where serve's create and restore then wrote beside the link. */
  @Test
  void aLinksDotDotThroughALinkedDirectoryIsReadAsTheKernelReadsIt() throws Exception {
    Path real = Files.createDirectories(dir.toRealPath().resolve("b/x"));
    Path a = Files.createDirectories(dir.toRealPath().resolve("a"));
    Files.createSymbolicLink(a.resolve("sub"), real);
    Path database = Files.createSymbolicLink(a.resolve("db"), Path.of("sub/../real.db"));

    assertThat(SqliteDirectory.real(database)).isEqualTo(real.getParent().resolve("real.db"));
  }
  Path database;

  /** A database a restore run as root left in the service's directory. */
  @BeforeEach
  void aRootOwnedDatabaseInTheServicesDirectory() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "only root gives a file away");
    Path data = Files.createDirectory(dir.resolve("data"));
    Files.setAttribute(data, "unix:uid", 54321);
    database = Files.createFile(data.resolve("fulcrum-scim.db")).toRealPath();
  }

  @Test
  void theServicesOwnUserIsToldToChownTheFileNotToRunItAsAnotherUser() {
    assertThat(SqliteDirectory.advice(database, "54321"))
        .isEqualTo("; it belongs to user root, not to its directory's owner: chown 54321 " + database);
  }

  /** Java names a user with no passwd entry "?": the service's own user in a container was told it was user "?". */
  @Test
  void aUserWithNoNameIsNamedByItsNumber() throws Exception {
    String name = System.getProperty("user.name");
    System.setProperty("user.name", "?");
    try {
      assertThat(SqliteDirectory.cannotOpen(database, "permission denied"))
          .startsWith("cannot open " + database + " as user " + Files.getAttribute(Path.of("/proc/self"), "unix:uid") + ": ");
    } finally {
      System.setProperty("user.name", name);
    }
  }

  /**
   * review-s11e F1: the service's own file in a directory another user made (a group-writable deploy
   * directory, a host's volume): "chown it to the directory's owner" would take it from the service.
   */
  @Test
  void aFileOfTheServicesInAnotherUsersDirectoryIsNeverToldToBeGivenAway() throws Exception {
    Files.setAttribute(database, "unix:uid", 54322);
    assertThat(SqliteDirectory.advice(database, "alice"))
        .isEqualTo("; it belongs to user 54322: run it as that user (sudo -u '#54322' fulcrum-scim ...)");
  }

  /**
   * review-s11g F4 against review-s12a F1: another user's file in the running user's own directory is a
   * copy restored by someone else into the service's directory, or the service's own live database in a
   * deploy user's directory; chowning the second to the deploy user stops the service, so both are named.
   */
  @Test
  void anotherUsersFileInTheRunningUsersOwnDirectoryGetsBothChoicesNotABareChown() throws Exception {
    Files.setAttribute(database, "unix:uid", 54322);
    assertThat(SqliteDirectory.advice(database, "54321")).isEqualTo("; it belongs to user 54322, not to its directory's owner"
        + " 54321: if serve runs as 54322, run this command as that user (sudo -u '#54322' fulcrum-scim ...); if it runs as"
        + " 54321, chown 54321 " + database);
  }

  /**
   * review-s11e F4, s11g F5: a deploy user's setgid directory the service writes in through its group
   * (deploy:fulcrum-scim 3775, sticky): giving the file to deploy would leave the service unable to write it.
   */
  @Test
  void aRootOwnedFileInAGroupWritableDirectoryOfAnotherUsersIsGivenToTheDirectorysGroup() throws Exception {
    groupWritable(database.getParent(), 54330);
    sticky(database.getParent());
    assertThat(SqliteDirectory.advice(database, "alice")).isEqualTo("; it belongs to user root, in a directory group 54330"
        + " may write in: if serve runs as a user of group 54330 (a setgid deploy directory, a Kubernetes fsGroup volume),"
        + " chown :54330 " + database + " && chmod g+rw " + database + "; if 54330 is shared with other users, chown"
        + " <serve's user>: " + database + " instead (g+rw lets every user of 54330 write it)");
  }

  /**
   * review-s13d 8: without the sticky bit (root:users 2775, a Kubernetes fsGroup volume) every user of the group
   * may rename or delete the database whoever owns it: moving it comes first.
   */
  @Test
  void aRootOwnedFileInAGroupWritableDirectoryWithoutTheStickyBitIsToldToMoveFirst() throws Exception {
    Files.setAttribute(database.getParent(), "unix:uid", 0);
    groupWritable(database.getParent(), 54330);
    assertThat(SqliteDirectory.advice(database, "54322")).isEqualTo("; it belongs to user root, in a directory group 54330"
        + " may write in, where every user of 54330 may rename or delete it: move it to a directory only serve's user may"
        + " write in (and storage.path with it); if that group is serve's own (a setgid deploy directory, a Kubernetes"
        + " fsGroup volume), chown :54330 " + database + " && chmod g+rw " + database + " instead");
  }

  private static void sticky(Path directory) throws Exception {
    assertThat(new ProcessBuilder("chmod", "+t", directory.toString()).inheritIO().start().waitFor()).isZero();
  }

  private static void groupWritable(Path directory, int gid) throws Exception {
    Files.setAttribute(directory, "unix:gid", gid);
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxr-x"));
  }

  /** A root-owned 0755 directory (or a container's) names no service user: the owner seen is said, fulcrum-scim only as the packages'. */
  @Test
  void whereNothingNamesTheServicesUserTheOwnerSeenIsSaidAndFulcrumScimOnlyAsThePackagesUser() throws Exception {
    Files.setAttribute(database.getParent(), "unix:uid", 0);
    assertThat(SqliteDirectory.advice(database, "alice")).isEqualTo("; it belongs to user root: run it as the service's user"
        + " (for the packaged service's user, sudo -u fulcrum-scim fulcrum-scim ...)");
  }

  @Test
  void theUserNamedFulcrumScimIsToldToChownTheFileToo() {
    assertThat(SqliteDirectory.advice(database, "fulcrum-scim")).isEqualTo("; it belongs to user root, not to its directory's owner:"
        + " chown 54321 " + database + ", then run it as that user (sudo -u '#54321' fulcrum-scim ...)");
  }
}
