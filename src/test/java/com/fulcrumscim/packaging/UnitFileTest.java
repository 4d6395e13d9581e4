package com.fulcrumscim.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** etc/fulcrum-scim.service: what systemd needs to run, stop, reload and confine the bridge. */
class UnitFileTest {
  static final Path UNIT = Path.of("etc/fulcrum-scim.service");

  List<String> settings() throws Exception {
    return Files.readAllLines(UNIT).stream().filter(l -> !l.startsWith("#") && l.contains("=")).toList();
  }

  @Test
  void aStopIsCleanAndAConfigErrorIsNotRestarted() throws Exception {
    assertThat(settings()).contains("Type=exec", "KillSignal=SIGTERM", "SuccessExitStatus=143",
        "Restart=on-failure", "RestartPreventExitStatus=2", "ExecReload=/bin/kill -HUP $MAINPID");
  }

  @Test
  void itRunsThePackagedCommandWithSecretsFromCredentialsAndTheEnvFile() throws Exception {
    assertThat(settings()).contains("ExecStart=/usr/bin/fulcrum-scim serve",
        "LoadCredential=fulcrum-api-token:/etc/fulcrum-scim/fulcrum-api-token",
        "EnvironmentFile=-/etc/fulcrum-scim/env", "User=fulcrum-scim", "StateDirectory=fulcrum-scim");
  }

  @Test
  void theCommandGetsAWritableCacheForItsClassDataArchiveUnderTheStrictFileSystem() throws Exception {
    // ProtectSystem=strict leaves /var/cache read-only; CacheDirectory= is the unit's one writable cache
    assertThat(settings()).contains("ProtectSystem=strict", "CacheDirectory=fulcrum-scim");
  }

  @Test
  void systemdRatesItsExposureTwoOrLower() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze is not installed");
    assertThat(settings()).contains("SystemCallFilter=@system-service");
    Process p = new ProcessBuilder("systemd-analyze", "security", "--offline=true", UNIT.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Matcher exposure = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+)").matcher(out);
    assertThat(exposure.find()).as(out).isTrue();
    assertThat(Double.parseDouble(exposure.group(1))).isLessThanOrEqualTo(2.0);
  }
}
