package com.fulcrumscim.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The advice for a user who may not use the store's file, worded for users this test cannot run as:
 * the service's own (here a uid with no passwd entry) and the packages' fulcrum-scim.
 */
class SqliteDirectoryTest {
  @TempDir Path dir;
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
        .isEqualTo("; it belongs to user root, not to its directory's owner: chown 54321: " + database);
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

  @Test
  void theUserNamedFulcrumScimIsToldToChownTheFileToo() {
    assertThat(SqliteDirectory.advice(database, "fulcrum-scim")).isEqualTo("; it belongs to user root, not to its directory's owner:"
        + " chown 54321: " + database + ", then run it as that user (sudo -u '#54321' fulcrum-scim ...)");
  }
}
