package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code storage.path} that is a symbolic link (etc/bridge.db to data/bridge.db): what writes the
 * database file writes the file the link leads to, and the link stays.
 */
class SymbolicStoragePathTest {
  @TempDir Path dir;

  /** review-s14c F1: restore renamed its copy over the link, leaving a plain file in the link's directory. */
  @Test
  void restoreThroughALinkReplacesTheFileItLeadsToAndKeepsTheLink() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("etc")).resolve("bridge.db"),
        Path.of("..", "data", "bridge.db"));

    OpsCliRun.Result r = restoreOnto(link, data.resolve("bridge.db"));

    assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("..", "data", "bridge.db"));
    assertThat(linkedUsers(data.resolve("bridge.db"))).containsExactly("u-in-the-backup");
    assertThat(namesIn(data)).anyMatch(name -> name.startsWith("bridge.db.replaced-"));
    assertThat(namesIn(dir.resolve("etc"))).containsExactlyInAnyOrder("bridge.db", "config.yml");
    assertThat(r.out()).contains("to " + link + ", the file it links to, " + data.toRealPath().resolve("bridge.db") + " (");
  }

  @Test
  void restoreThroughAChainOfLinksReplacesTheLastFileAndKeepsEveryLink() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path middle = Files.createSymbolicLink(Files.createDirectories(dir.resolve("mid")).resolve("bridge.db"),
        data.resolve("bridge.db"));
    Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("etc")).resolve("bridge.db"), middle);

    restoreOnto(link, data.resolve("bridge.db"));

    assertThat(Files.readSymbolicLink(link)).isEqualTo(middle);
    assertThat(Files.readSymbolicLink(middle)).isEqualTo(data.resolve("bridge.db"));
    assertThat(linkedUsers(data.resolve("bridge.db"))).containsExactly("u-in-the-backup");
    assertThat(namesIn(dir.resolve("mid"))).containsExactly("bridge.db");
  }

  /**
   * review-s14c F2: check passed a link to a file not made yet in a directory that exists, and serve then
   * failed at every start (creating the link's own name meets the link), a restart loop under systemd.
   */
  @Test
  void aLinkToAFileNotMadeYetInADirectoryThatExistsPassesCheckAndServeMakesThatFile() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path home = Files.createDirectories(dir.resolve("live"));
    Path link = Files.createSymbolicLink(home.resolve("bridge.db"), data.resolve("bridge.db"));

    OpsCliRun.Result check = new OpsCliRun(home).runWithConfig("check");
    assertThat(check.exit()).as(check.out() + check.err()).isZero();
    assertThat(check.out()).contains(link + ": not created yet");

    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0);
        ScimTestServer bridge = BackupRestoreTest.serve(fulcrum, home)) {
      assertThat(bridge.http().post("/Users", Bodies.user("first@corp.example")).status()).isEqualTo(201);
    }
    assertThat(Files.readSymbolicLink(link)).isEqualTo(data.resolve("bridge.db"));
    assertThat(data.resolve("bridge.db")).isRegularFile();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("bridge.db")))).isEqualTo("rw-------");
  }

  /**
   * Restores, with storage.path {@code storagePath}, a backup holding one link (user u-in-the-backup)
   * over the empty database at {@code file}, where that path leads; exit 0.
   */
  private OpsCliRun.Result restoreOnto(Path storagePath, Path file) throws Exception {
    Database.open(file).close();
    Path backup = dir.resolve("nightly.db");
    try (Database db = Database.open(backup)) {
      OpsCliRun.link(db, "USER", "u-in-the-backup", "f-1");
    }
    OpsCliRun cli = new OpsCliRun(storagePath.getParent());
    assertThat(cli.database).isEqualTo(storagePath);
    OpsCliRun.Result r = cli.runWithConfig("restore", backup.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    return r;
  }

  private static List<String> linkedUsers(Path file) {
    try (Database db = Database.openExisting(file, Database.Access.READ_ONLY)) {
      return db.read(c -> {
        List<String> ids = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT scim_id FROM link")) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
        return ids;
      });
    }
  }

  private static List<String> namesIn(Path directory) throws Exception {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }
}
