package com.fulcrumscim.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * src/packaging/deb/postinst on an upgrade, run by sh with its paths moved into a temporary
 * directory and every command it runs (systemctl, the CLI, the file tools) recorded, not done.
 */
class PostinstTest {
  static final Path POSTINST = Path.of("src/packaging/deb/postinst");

  @TempDir Path dir;

  /** What `postinst configure 0.9.0` ran of systemctl and the CLI, in order, with {@code systemctlStub} (sh) answering for systemctl. */
  List<String> upgradeWith(String systemctlStub) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path calls = dir.resolve("calls");
    Files.writeString(calls, "");
    for (String tool : List.of("getent", "useradd", "install", "chgrp", "chmod", "chown")) {
      script(bin.resolve(tool), "exit 0");
    }
    script(bin.resolve("systemctl"), "echo \"systemctl $*\" >> " + calls + "\n" + systemctlStub);
    script(bin.resolve("fulcrum-scim"), "[ \"$1\" = --help ] && echo '  db         Database commands' && exit 0\n"
        + "echo \"fulcrum-scim $*\" >> " + calls);
    Path state = Files.createDirectories(dir.resolve("state"));
    Files.writeString(state.resolve("fulcrum-scim.db"), "");
    Path etc = Files.createDirectories(dir.resolve("etc"));
    Files.writeString(etc.resolve("fulcrum-api-token"), "");
    Path systemd = Files.createDirectories(dir.resolve("run-systemd"));
    Path discard = Files.writeString(dir.resolve("discard"), "");

    String text = Files.readString(POSTINST);
    assertThat(text).contains("state=/var/lib/fulcrum-scim", "/usr/bin/fulcrum-scim", "/run/systemd/system", "/etc/fulcrum-scim");
    Path moved = dir.resolve("postinst");
    Files.writeString(moved, text.replace("state=/var/lib/fulcrum-scim", "state=" + state)
        .replace("/usr/bin/fulcrum-scim", bin.resolve("fulcrum-scim").toString())
        .replace("/run/systemd/system", systemd.toString())
        .replace("/etc/fulcrum-scim", etc.toString())
        .replace("/dev/null", discard.toString()));

    runs(moved, bin, "configure", "0.9.0");
    return Files.readAllLines(calls).stream().filter(l -> !l.equals("systemctl daemon-reload")).toList();
  }

  /** Runs {@code script} with sh, the tools in {@code bin} first on the PATH; it must exit 0. */
  static void runs(Path script, Path bin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("sh", script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(Map.of("PATH", bin + ":" + System.getenv("PATH")));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  static void script(Path file, String body) throws Exception {
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void aRunningServiceIsStoppedBeforeTheMigrationAndStartedAfter() throws Exception {
    assertThat(upgradeWith("exit 0")).containsExactly(
        "systemctl is-active --quiet fulcrum-scim.service",
        "systemctl stop fulcrum-scim.service",
        "fulcrum-scim db migrate",
        "systemctl restart fulcrum-scim.service");
  }

  @Test
  void aStoppedServiceIsMigratedAndLeftStopped() throws Exception {
    assertThat(upgradeWith("[ \"$1\" = is-active ] && exit 3\nexit 0")).containsExactly(
        "systemctl is-active --quiet fulcrum-scim.service",
        "fulcrum-scim db migrate");
  }

  @Test
  void aServiceThatWillNotStopIsNotMigratedUnderButRestartedToMigrateAtItsStart() throws Exception {
    assertThat(upgradeWith("[ \"$1\" = stop ] && exit 1\nexit 0")).containsExactly(
        "systemctl is-active --quiet fulcrum-scim.service",
        "systemctl stop fulcrum-scim.service",
        "systemctl restart fulcrum-scim.service");
  }
}
