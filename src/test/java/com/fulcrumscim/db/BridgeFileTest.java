package com.fulcrumscim.db;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeFileTest {
  @TempDir Path dir;

  /** A file SQLite could not read for a lock says nothing of what it holds: "not a fulcrum-scim database" would invite a restore. */
  @Test
  void aFileLockedByAnotherConnectionIsNeverCalledNotAFulcrumScimDatabase() throws Exception {
    Path file = dir.resolve("locked.db");
    try (Connection holder = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = holder.createStatement()) {
      s.execute("CREATE TABLE setting (k TEXT)");
      s.execute("BEGIN EXCLUSIVE");
      s.execute("INSERT INTO setting VALUES ('held')");

      assertThatThrownBy(() -> BridgeFile.versions(file))
          .isInstanceOf(DatabaseException.class)
          .hasMessageStartingWith("cannot read " + file + ": [SQLITE_BUSY]")
          .hasMessageEndingWith("; nothing was changed")
          .hasMessageNotContaining("not a fulcrum-scim database");
    }
  }

  @Test
  void aFileThatIsNoSqliteDatabaseIsNotAFulcrumScimDatabase() throws Exception {
    Path file = Files.write(dir.resolve("zeros.db"), new byte[8192]);
    assertThatThrownBy(() -> BridgeFile.versions(file)).hasMessageStartingWith(file + " is not a fulcrum-scim database (");
  }
}
