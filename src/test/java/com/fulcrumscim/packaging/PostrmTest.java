package com.fulcrumscim.packaging;

import static com.fulcrumscim.packaging.PostinstTest.runs;
import static com.fulcrumscim.packaging.PostinstTest.script;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * src/packaging/deb/postrm on a purge, run by sh with its paths moved into a temporary directory,
 * the service user's name taken by the owner of the files made here, and the commands that change
 * owners or users recorded, not done.
 */
class PostrmTest {
  static final Path POSTRM = Path.of("src/packaging/deb/postrm");

  @TempDir Path dir;

  /** What `postrm purge` ran of chown, chgrp and userdel, in order; {@code backups}: the README's backup folder, or null. */
  List<String> purge(Path backups) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path calls = dir.resolve("calls");
    Files.writeString(calls, "");
    script(bin.resolve("getent"), "exit 0");
    for (String tool : List.of("chown", "chgrp", "userdel")) {
      script(bin.resolve(tool), "echo \"" + tool + " $*\" >> " + calls);
    }
    PosixFileAttributes made = Files.readAttributes(Files.writeString(dir.resolve("made"), ""), PosixFileAttributes.class);

    String text = Files.readString(POSTRM);
    assertThat(text).contains("/var/backups/fulcrum-scim", "-user fulcrum-scim", "-group fulcrum-scim",
        "/var/lib/fulcrum-scim /etc/fulcrum-scim /var/cache/fulcrum-scim");
    Path moved = dir.resolve("postrm");
    Files.writeString(moved, text
        .replace("/var/backups/fulcrum-scim", backups == null ? dir.resolve("no-backups").toString() : backups.toString())
        .replace("/var/lib/fulcrum-scim /etc/fulcrum-scim /var/cache/fulcrum-scim", dir.resolve("state") + " " + dir.resolve("etc"))
        .replace("-user fulcrum-scim", "-user " + made.owner().getName())
        .replace("-group fulcrum-scim", "-group " + made.group().getName())
        .replace("/run/systemd/system", dir.resolve("no-systemd").toString()));

    runs(moved, bin, "purge");
    return Files.readAllLines(calls);
  }

  /** The backups outlive the purge; left to the deleted user's uid, the next system user made would read them. */
  @Test
  void purgeGivesTheReadmesBackupFolderToRootBeforeDeletingTheUser() throws Exception {
    Path backups = Files.createDirectories(dir.resolve("backups"));
    Path nightly = Files.writeString(backups.resolve("2026-12-04.db"), "");

    assertThat(purge(backups)).containsExactly(
        "chown root " + backups + " " + nightly,
        "chgrp root " + backups + " " + nightly,
        "userdel fulcrum-scim");
  }

  @Test
  void purgeWithNoBackupFolderOnlyDeletesTheUser() throws Exception {
    assertThat(purge(null)).containsExactly("userdel fulcrum-scim");
  }
}
