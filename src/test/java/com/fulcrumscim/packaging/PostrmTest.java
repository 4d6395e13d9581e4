package com.fulcrumscim.packaging;

import static com.fulcrumscim.packaging.PostinstTest.runs;
import static com.fulcrumscim.packaging.PostinstTest.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
  /** How the recorded chown ends: 1 for a file it may not change (NFS root_squash, an immutable file). */
  private int chownExit;

  /** What `postrm purge` ran of chown, chgrp and userdel, in order; {@code backups}: the README's backup folder, or null. */
  List<String> purge(Path backups) throws Exception {
    return purge(backups, List.of("chown", "chgrp", "userdel"));
  }

  /** {@link #purge(Path)} with only the tools {@code recorded} recorded, the others run for real. */
  List<String> purge(Path backups, List<String> recorded) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path calls = dir.resolve("calls");
    Files.writeString(calls, "");
    script(bin.resolve("getent"), "exit 0");
    for (String tool : recorded) {
      script(bin.resolve(tool), "echo \"" + tool + " $*\" >> " + calls + (tool.equals("chown") ? "; exit " + chownExit : ""));
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
        "chown -h root " + backups + " " + nightly,
        "chgrp -h root " + backups + " " + nightly,
        "userdel fulcrum-scim");
  }

  /** review-s12c F1, F2: chown follows a link unless told not to. */
  @Test
  void purgeGivesALinkInTheBackupFolderToRootNotWhatItPointsTo() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "chown to another user needs root");
    Path backups = Files.createDirectories(dir.resolve("backups"));
    Path outside = Files.writeString(dir.resolve("someone-elses"), "");
    Files.setAttribute(outside, "unix:uid", 23456);
    Files.createSymbolicLink(backups.resolve("points-out.db"), outside);
    Files.createSymbolicLink(backups.resolve("latest.db"), backups.resolve("rotated-out.db"));

    assertThat(purge(backups, List.of("userdel"))).containsExactly("userdel fulcrum-scim");
    assertThat(Files.getAttribute(outside, "unix:uid")).isEqualTo(23456);
  }

  /** review-s12d F5: under set -e a chown that failed ended the purge before the user was deleted. */
  @Test
  void aBackupThatCannotBeGivenToRootDoesNotStopThePurge() throws Exception {
    Path backups = Files.createDirectories(dir.resolve("backups"));
    chownExit = 1;

    assertThat(purge(backups)).last().isEqualTo("userdel fulcrum-scim");
  }

  @Test
  void purgeWithNoBackupFolderOnlyDeletesTheUser() throws Exception {
    assertThat(purge(null)).containsExactly("userdel fulcrum-scim");
  }
}
