package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.scim.BearerTokens;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** {@code serve} as a child JVM, driven the way systemd and an operator drive it: signals and logs. */
class ServeProcessTest {
  static final String TOKEN = "serve-process-token-1";
  static final String ROTATED = "serve-process-token-2";

  @TempDir Path dir;

  /** A config against the embedded emulator (calls unpaced), with the SCIM token hashes and logging given. */
  Path config(String tokenHash, String format, String level) throws Exception {
    return BridgeProcess.writeConfig(dir, "embedded", "\"\"", """
          calls_per_hour: 3600000
        scim:
          token_hashes: ["%s"]
        reconcile:
          interval: 500ms
        logging:
          format: %s
          level: %s
        """.formatted(tokenHash, format, level));
  }

  /** The same with no SCIM token configured: serve generates one. */
  Path configWithoutToken(String format, String level) throws Exception {
    return BridgeProcess.writeConfig(dir, "embedded", "\"\"", """
        logging:
          format: %s
          level: %s
        """.formatted(format, level));
  }

  static int port(Path config) throws Exception {
    Matcher port = Pattern.compile("port: (\\d+)").matcher(Files.readString(config));
    assertThat(port.find()).isTrue();
    return Integer.parseInt(port.group(1));
  }

  /** The token a "SCIM token: ..." line showed, in text or inside a JSON line's message. */
  static Optional<String> shownToken(BridgeProcess bridge) {
    return bridge.output().stream().map(SHOWN_TOKEN::matcher).filter(Matcher::find).map(m -> m.group(1)).findFirst();
  }

  static final Pattern SHOWN_TOKEN = Pattern.compile("SCIM token: ([A-Za-z0-9_-]+)");

  /** An operator's edit of config.yml, then `systemctl reload`; waits for the line that answers it. */
  static void editAndHangUp(Path config, BridgeProcess bridge, UnaryOperator<String> edit, String answer) throws Exception {
    Files.writeString(config, edit.apply(Files.readString(config)));
    bridge.signal("HUP");
    await().atMost(Duration.ofSeconds(20)).until(() -> bridge.output().stream().anyMatch(l -> l.contains(answer)));
  }

  @Test
  void sigtermStopsCleanlyWithExitZeroAndSaysSo() throws Exception {
    BridgeProcess bridge = BridgeProcess.serve(config(BearerTokens.sha256Hex(TOKEN), "text", "INFO"), Map.of());
    bridge.endpoint();
    assertThat(bridge.terminate()).isZero();
    assertThat(bridge.output()).anyMatch(l -> l.contains("SIGTERM received: stopping"))
        .last().asString().contains("stopped cleanly");
  }

  /**
   * serve as the jar starts it, with no logging file on its class path (the tests' logback-test.xml
   * is not), loads none of two things it does not need (issue 12: each was a tenth or more of the
   * start). The shipped text format is set up in code, so no Joran configurator or action is loaded
   * (its spi's ConsoleTarget is the appender's); the line: time with its offset, level padded to 5,
   * thread, logger, the MDC key (none here), message. Jetty is told its cache line's reference count
   * (scim.JettyCacheLine), so it builds no platform MBeanServer to ask whether oops are compressed.
   */
  @Test
  void serveReadsNoLoggingFileAndBuildsNoMBeanServer() throws Exception {
    Path classes = dir.resolve("classes.log");
    List<String> classPath = new ArrayList<>(List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)));
    classPath.removeIf(entry -> Path.of(entry).endsWith(Path.of("target", "test-classes")));
    BridgeProcess bridge = BridgeProcess.java(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-Xlog:class+load=info:file=" + classes, "-cp", String.join(java.io.File.pathSeparator, classPath),
        "com.fulcrumscim.cli.Main", "serve", "--config", config(BearerTokens.sha256Hex(TOKEN), "text", "INFO").toString()),
        Map.of());
    bridge.endpoint();
    assertThat(bridge.terminate()).isZero();
    assertThat(bridge.output()).anyMatch(l -> l.matches(
        "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) INFO  \\[[^\\]]+\\] c\\.f\\.cli\\.ServeCommand"
            + "  SIGTERM received: stopping \\(no new SCIM requests; the apply in flight finishes\\)"));
    List<String> loaded = Files.readAllLines(classes).stream()
        .filter(l -> l.contains(" ch.qos.logback.") || l.contains(" org.eclipse.jetty.util.") || l.contains(" com.sun.jmx.")).toList();
    assertThat(loaded).anyMatch(l -> l.contains(" ch.qos.logback.classic.LoggerContext "))
        .anyMatch(l -> l.contains(" org.eclipse.jetty.util.BlockingArrayQueue "))
        .noneMatch(l -> l.contains(" ch.qos.logback.classic.joran.") || l.contains(" ch.qos.logback.core.joran.action."))
        .noneMatch(l -> l.contains(" com.sun.jmx.mbeanserver.JmxMBeanServer "));
  }

  /**
   * review-s14c F8: a stop cut short at its bound (a reconcile cycle waiting on a Fulcrum that does not
   * answer) logged "stopped cleanly" and exited 0 right after the WARN that it ran out. The real bound
   * (45 s) runs here: this test takes about a minute, so it runs beside the class's other tests, which it
   * shares nothing with (its own dir, ports and Fulcrum), while its serve waits the bound out.
   */
  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void aStopCutShortAtItsBoundSaysSoAndExitsOne() throws Exception {
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0)) {
      Path config = BridgeProcess.writeConfig(dir, fulcrum.baseUrl(), fulcrum.token(), """
            calls_per_hour: 3600000
          scim:
            token_hashes: ["%s"]
          reconcile:
            interval: 500ms
          """.formatted(BearerTokens.sha256Hex(TOKEN)));
      BridgeProcess bridge = BridgeProcess.serve(config, Map.of());
      ScimHttp http = new ScimHttp(bridge.endpoint(), "Bearer " + TOKEN);
      fulcrum.faults().latency(Duration.ofMinutes(3)); // from now on Fulcrum answers no call before the stop ends
      assertThat(http.post("/Users", Bodies.user("cut-short@corp.example")).status()).isEqualTo(201);
      Thread.sleep(2_000); // the cycle the change triggered now waits on Fulcrum

      bridge.signal("TERM");

      assertThat(bridge.process().waitFor(70, TimeUnit.SECONDS)).as("it ends within TimeoutStopSec").isTrue();
      assertThat(bridge.terminate()).isEqualTo(1);
      assertThat(bridge.output()).anyMatch(l -> l.contains("the stop's bound ran out before the reconcile cycle")
              && l.contains("run again from what Fulcrum then holds at this serve's next start")) // no other node on SQLite
          .noneMatch(l -> l.contains("stopped cleanly"))
          .last().asString().contains("stopped, cut short at the stop's bound");
    }
  }

  @Test
  void withJsonFormatEveryLineIsAnEcsJsonObject() throws Exception {
    BridgeProcess bridge = BridgeProcess.serve(config(BearerTokens.sha256Hex(TOKEN), "json", "INFO"), Map.of());
    ScimHttp http = new ScimHttp(bridge.endpoint(), "Bearer " + TOKEN);
    assertThat(http.post("/Users", Bodies.user("json@corp.example")).status()).isEqualTo(201);
    assertThat(http.withAuthorization("Bearer not-it").get("/Users").status()).isEqualTo(401);
    await().atMost(Duration.ofSeconds(30)).until(() -> bridge.output().stream().anyMatch(l -> l.contains("CREATE_MEMBER")));
    assertThat(bridge.terminate()).isZero();

    List<JsonNode> lines = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : bridge.output()) {
      JsonNode parsed = json.readTree(line);
      assertThat(parsed.isObject()).as("a JSON object: %s", line).isTrue();
      assertThat(parsed.path("@timestamp").asText()).as(line).isNotEmpty();
      assertThat(parsed.path("log.level").asText()).as(line).isNotEmpty();
      assertThat(parsed.path("log.logger").asText()).as(line).isNotEmpty();
      lines.add(parsed);
    }
    assertThat(lines).extracting(l -> l.path("message").asText())
        .anyMatch(m -> m.startsWith("SCIM endpoint: "))
        .anyMatch(m -> m.startsWith("Fulcrum CREATE_MEMBER user/") && m.contains(": ok"))
        .anyMatch(m -> m.startsWith("SCIM authentication failed from 127.0.0.1"))
        .anyMatch(m -> m.equals("stopped cleanly"));
  }

  @Test
  void withJsonFormatAFailedStartIsOneJsonErrorLineAndExitOne() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path config = config(BearerTokens.sha256Hex(TOKEN), "json", "INFO");
      Files.writeString(config, Files.readString(config).replaceFirst("port: \\d+", "port: " + taken.getLocalPort()));
      BridgeProcess bridge = BridgeProcess.serve(config, Map.of());
      assertThat(bridge.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(bridge.terminate()).isEqualTo(1);
      ObjectMapper json = new ObjectMapper();
      List<JsonNode> errors = new ArrayList<>();
      for (String line : bridge.output()) {
        JsonNode parsed = json.readTree(line);
        if (parsed.path("log.level").asText().equals("ERROR")) {
          errors.add(parsed);
        }
      }
      assertThat(errors).extracting(e -> e.path("message").asText()).anyMatch(m -> m.startsWith("cannot start: "));
    }
  }

  /** review-s12b F6: a config mistake, exit 2 naming file and key, found before Fulcrum is called (no emulator started). */
  /** review-s12d F1: exit 1, as the address may come up later (exit 2 stops the unit for good). */
  @Test
  void aHostNotOnThisMachineIsNamedWithItsFileAndKeyBeforeFulcrumIsCalledAndTriedAgain() throws Exception {
    Path config = config(BearerTokens.sha256Hex(TOKEN), "text", "INFO");
    // TEST-NET-1 (RFC 5737): assigned to no host
    Files.writeString(config, Files.readString(config).replaceFirst("server:\n", "server:\n  host: 192.0.2.1\n"));
    BridgeProcess bridge = BridgeProcess.serve(config, Map.of());
    assertThat(bridge.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(bridge.terminate()).isEqualTo(1);
    assertThat(bridge.output()).containsExactly("cannot start: cannot listen on 192.0.2.1:" + port(config)
        + ": Cannot assign requested address (server.host in " + config + " is not an address of this host, or not yet)");
  }

  /**
   * review-s8c F11: Javalin's own ERROR line came first and read as a crash of its own. review-s12b
   * F6: found before Fulcrum is called (no emulator started), as the unit restarts it every 5 s.
   */
  @Test
  void aPortInUseIsOneLineNamingTheAddressAndTheKeyToChangeBeforeFulcrumIsCalled() throws Exception {
    Path config = config(BearerTokens.sha256Hex(TOKEN), "text", "INFO");
    int port = port(config);
    try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      BridgeProcess failed = BridgeProcess.serve(config, Map.of());
      assertThat(failed.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(failed.terminate()).isEqualTo(1);
      assertThat(failed.output()).containsExactly(
          "cannot start: cannot listen on 127.0.0.1:" + port + ": Address already in use (another process has the port:"
              + " stop it, or set server.port in " + config + " to a free port)");
    }
  }

  @Test
  void aFirstStartThatFailsOnABusyPortLeavesTheNextStartToShowAGeneratedToken() throws Exception {
    Path config = configWithoutToken("text", "INFO");
    try (ServerSocket taken = new ServerSocket(port(config), 1, InetAddress.getLoopbackAddress())) {
      BridgeProcess failed = BridgeProcess.serve(config, Map.of());
      assertThat(failed.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(failed.terminate()).isEqualTo(1);
    }
    BridgeProcess bridge = BridgeProcess.serve(config, Map.of());
    try {
      String endpoint = bridge.endpoint();
      String token = shownToken(bridge).orElseThrow(() -> new AssertionError("no SCIM token shown: " + bridge.output()));
      assertThat(new ScimHttp(endpoint, "Bearer " + token).get("/Users").status()).isEqualTo(200);
    } finally {
      assertThat(bridge.terminate()).isZero();
    }
  }

  @Test
  void withJsonLogsAtWarnAGeneratedTokenIsStillShownAsAJsonLine() throws Exception {
    Path config = configWithoutToken("json", "WARN");
    BridgeProcess bridge = BridgeProcess.serve(config, Map.of());
    try {
      ScimHttp http = new ScimHttp("http://127.0.0.1:" + port(config) + "/scim/v2", null);
      // the endpoint line is INFO, so not printed at WARN: wait for the port to answer instead
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http.get("/Users").status() == 401);
      await().atMost(Duration.ofSeconds(10)).until(() -> shownToken(bridge).isPresent());
      String line = bridge.output().stream().filter(l -> l.contains("SCIM token: ")).findFirst().orElseThrow();
      assertThat(new ObjectMapper().readTree(line).path("message").asText()).startsWith("SCIM token: ");
      assertThat(http.withAuthorization("Bearer " + shownToken(bridge).orElseThrow()).get("/Users").status()).isEqualTo(200);
    } finally {
      assertThat(bridge.terminate()).isZero();
    }
  }

  @Test
  void sighupReloadsTokenHashesAndLogLevelWithoutStopping() throws Exception {
    Path config = config(BearerTokens.sha256Hex(TOKEN), "text", "INFO");
    BridgeProcess bridge = BridgeProcess.serve(config, Map.of());
    try {
      ScimHttp old = new ScimHttp(bridge.endpoint(), "Bearer " + TOKEN);
      ScimHttp rotated = old.withAuthorization("Bearer " + ROTATED);
      assertThat(rotated.get("/Users").status()).isEqualTo(401);

      editAndHangUp(config, bridge, text -> text.replace(BearerTokens.sha256Hex(TOKEN), BearerTokens.sha256Hex(ROTATED))
          .replace("level: INFO", "level: DEBUG"), "SIGHUP: reloaded");

      assertThat(rotated.get("/Users").status()).isEqualTo(200);
      assertThat(old.get("/Users").status()).isEqualTo(401);
      assertThat(bridge.process().isAlive()).isTrue();
      assertThat(bridge.output()).anyMatch(l -> l.contains("SIGHUP: reloaded logging.level DEBUG, scim.token_hashes (accepted: scim.token_hashes/FULCRUM_SCIM_TOKEN "
              + BearerTokens.sha256Hex(ROTATED).substring(0, 8) + "...)") && l.endsWith("; no setting that needs a restart changed"))
          .anyMatch(l -> l.contains(" DEBUG "));
    } finally {
      assertThat(bridge.terminate()).isZero();
    }
  }

  /** A first serve on {@code config}, stopped: the token it generated and showed. */
  static String generatedOnAFirstRun(Path config) throws Exception {
    BridgeProcess first = BridgeProcess.serve(config, Map.of());
    first.endpoint();
    String shown = shownToken(first).orElseThrow(() -> new AssertionError("no SCIM token shown: " + first.output()));
    assertThat(first.terminate()).isZero();
    return shown;
  }

  /** `token forget-generated` in this JVM (whose environment has no FULCRUM_SCIM_TOKEN), beside the serve it talks to. */
  OpsCliRun.Result forgetGenerated(Path config) throws Exception {
    return new OpsCliRun(Files.createDirectories(dir.resolve("cli"))).run("token", "forget-generated", "--config", config.toString());
  }

  /**
   * Review-s10a F8: FULCRUM_SCIM_TOKEN exported in the operator's shell alone let forget-generated go
   * ahead, and the next start, whose environment lacks it, generated a new token: Okta's was refused.
   */
  @Test
  void aScimTokenSetOnlyInTheCommandsEnvironmentDoesNotLetItForgetTheGeneratedToken() throws Exception {
    Path config = configWithoutToken("text", "INFO");
    String shown = generatedOnAFirstRun(config);

    BridgeProcess forget = BridgeProcess.command(Map.of("FULCRUM_SCIM_TOKEN", ROTATED + "-set-in-the-shell-only-0123456789"),
        "token", "forget-generated", "--config", config.toString());
    assertThat(forget.process().waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(forget.terminate()).as(String.join("\n", forget.output())).isEqualTo(1);
    assertThat(String.join("\n", forget.output())).contains("nothing was changed", "FULCRUM_SCIM_TOKEN is set where this"
        + " command runs", "/etc/fulcrum-scim/env", "token_hashes: [\""
        + BearerTokens.sha256Hex(ROTATED + "-set-in-the-shell-only-0123456789") + "\"]`, `systemctl reload fulcrum-scim`"
        + " (serve then accepts both), switch Okta to that token");

    BridgeProcess next = BridgeProcess.serve(config, Map.of());
    try {
      assertThat(new ScimHttp(next.endpoint(), "Bearer " + shown).get("/Users").status()).isEqualTo(200);
      assertThat(shownToken(next)).isEmpty();
    } finally {
      assertThat(next.terminate()).isZero();
    }
  }

  /**
   * The running serve tells which FULCRUM_SCIM_TOKEN its own environment holds (/etc/fulcrum-scim/env):
   * kept there alone, the command run without it forgets the generated token, and a reload leaves
   * Okta's token the one accepted.
   */
  @Test
  void aScimTokenInTheRunningServesOwnEnvironmentLetsItForgetTheGeneratedToken() throws Exception {
    Path config = configWithoutToken("text", "INFO");
    String shown = generatedOnAFirstRun(config);

    String own = ROTATED + "-in-the-services-environment-0123456789";
    BridgeProcess bridge = BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", own));
    try {
      ScimHttp generated = new ScimHttp(bridge.endpoint(), "Bearer " + shown);
      OpsCliRun.Result forget = forgetGenerated(config);
      assertThat(forget.exit()).as(forget.err()).isZero();
      assertThat(forget.out()).contains("from then on only " + BearerTokens.prefix(BearerTokens.sha256Hex(own))
          + ", accepted by every running serve");
      bridge.signal("HUP");
      await().atMost(Duration.ofSeconds(20)).until(() -> bridge.output().stream().anyMatch(l -> l.contains("SIGHUP: reloaded")));

      assertThat(generated.get("/Users").status()).isEqualTo(401);
      assertThat(generated.withAuthorization("Bearer " + own).get("/Users").status()).isEqualTo(200);
    } finally {
      assertThat(bridge.terminate()).isZero();
    }
  }

  @Test
  void rotatingAwayFromTheGeneratedTokenLeavesOktaNoGapUntilTheGeneratedOneIsForgotten() throws Exception {
    // review-s8c F1, the README's recipe: add the new hash, reload, switch Okta, forget the generated one, reload
    Path config = configWithoutToken("text", "INFO");
    BridgeProcess bridge = BridgeProcess.serve(config, Map.of());
    try {
      ScimHttp generated = new ScimHttp(bridge.endpoint(), null);
      String shown = shownToken(bridge).orElseThrow(() -> new AssertionError("no SCIM token shown: " + bridge.output()));
      generated = generated.withAuthorization("Bearer " + shown);
      ScimHttp rotated = generated.withAuthorization("Bearer " + ROTATED);

      editAndHangUp(config, bridge, text -> text + "scim:\n  token_hashes: [\"" + BearerTokens.sha256Hex(ROTATED) + "\"]\n",
          "SIGHUP: reloaded");
      assertThat(generated.get("/Users").status()).as("Okta not switched yet").isEqualTo(200);
      assertThat(rotated.get("/Users").status()).isEqualTo(200);
      assertThat(bridge.output()).anyMatch(l -> l.contains(" WARN ") && l.contains("token forget-generated"));

      OpsCliRun.Result forget = forgetGenerated(config);
      assertThat(forget.exit()).as(forget.err()).isZero();
      assertThat(forget.out()).startsWith("forgot the generated SCIM token (" + BearerTokens.sha256Hex(shown).substring(0, 8));
      assertThat(generated.get("/Users").status()).as("until the reload").isEqualTo(200);
      bridge.signal("HUP");
      await().atMost(Duration.ofSeconds(20)).until(() -> bridge.output().stream().filter(l -> l.contains("SIGHUP: reloaded")).count() == 2);

      assertThat(generated.get("/Users").status()).isEqualTo(401);
      assertThat(rotated.get("/Users").status()).isEqualTo(200);
      assertThat(bridge.output()).filteredOn(l -> l.contains(shown)).singleElement().asString().startsWith("SCIM token: ");
    } finally {
      assertThat(bridge.terminate()).isZero();
    }
  }

  @Test
  void aSighupNamesTheChangedSettingsThatWaitForARestart() throws Exception {
    // review-s8c F5: a new Fulcrum token put in and reloaded was only "other settings need a restart"
    Path config = config(BearerTokens.sha256Hex(TOKEN), "text", "INFO");
    BridgeProcess bridge = BridgeProcess.serve(config, Map.of());
    try {
      bridge.endpoint();
      editAndHangUp(config, bridge, text -> text.replace("api_token: \"\"", "api_token: \"fulcrum-token-put-in-at-3am\"")
          .replace("interval: 500ms", "interval: 2s"), "SIGHUP: reloaded");
      assertThat(bridge.output()).anyMatch(l -> l.contains("SIGHUP: reloaded") && l.endsWith("; fulcrum.api_token,"
          + " reconcile.interval changed: take effect at restart (systemctl restart fulcrum-scim), not at a reload"))
          .noneMatch(l -> l.contains("fulcrum-token-put-in-at-3am"));
    } finally {
      assertThat(bridge.terminate()).isZero();
    }
  }

  @Test
  void aSighupThatRaisesTheLogLevelToWarnStillConfirmsTheReload() throws Exception {
    Path config = config(BearerTokens.sha256Hex(TOKEN), "text", "INFO");
    BridgeProcess bridge = BridgeProcess.serve(config, Map.of());
    try {
      bridge.endpoint();
      editAndHangUp(config, bridge, text -> text.replace("level: INFO", "level: WARN"), "SIGHUP: reloaded logging.level WARN");
    } finally {
      assertThat(bridge.terminate()).isZero();
    }
  }

  @Test
  void sighupDuringStartUpDoesNotStopTheDaemonAndIsReloadedOnceStarted() throws Exception {
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0)) {
      // a slow Fulcrum holds the start in its first call, which comes after the database is created
      fulcrum.faults().latency(Duration.ofSeconds(3));
      Path config = BridgeProcess.writeConfig(dir, fulcrum.baseUrl(), fulcrum.token(), """
          scim:
            token_hashes: ["%s"]
          """.formatted(BearerTokens.sha256Hex(TOKEN)));
      BridgeProcess bridge = BridgeProcess.serve(config, Map.of());
      try {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
            .until(() -> Files.exists(dir.resolve("bridge.db")) || !bridge.process().isAlive());
        assertThat(bridge.output()).noneMatch(l -> l.contains("SCIM endpoint"));
        bridge.signal("HUP");
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.output().stream().anyMatch(l -> l.contains("SIGHUP during start-up")));
        // heard while the first call is held (it keeps its 3 s): the start's later calls need not be slow too
        fulcrum.faults().latency(Duration.ZERO);

        String endpoint = bridge.endpoint();
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.output().stream().anyMatch(l -> l.contains("SIGHUP: reloaded")));
        assertThat(bridge.process().isAlive()).isTrue();
        assertThat(new ScimHttp(endpoint, "Bearer " + TOKEN).get("/Users").status()).isEqualTo(200);
      } finally {
        assertThat(bridge.terminate()).isZero();
      }
    }
  }

  @Test
  void sighupWithABrokenConfigKeepsServingWithTheOldSettings() throws Exception {
    Path config = config(BearerTokens.sha256Hex(TOKEN), "text", "INFO");
    BridgeProcess bridge = BridgeProcess.serve(config, Map.of());
    try {
      ScimHttp http = new ScimHttp(bridge.endpoint(), "Bearer " + TOKEN);
      editAndHangUp(config, bridge, text -> text.replace("level: INFO", "level: LOUD"), "SIGHUP: nothing reloaded");
      assertThat(bridge.output()).anyMatch(l -> l.contains("logging.level"));
      assertThat(http.get("/Users").status()).isEqualTo(200);
    } finally {
      assertThat(bridge.terminate()).isZero();
    }
  }

  /** What serve printed when it stopped at once with exit 2 (a config error), {@code token} as FULCRUM_SCIM_TOKEN. */
  List<String> refusedAtStart(String token) throws Exception {
    BridgeProcess bridge = BridgeProcess.serve(config(BearerTokens.sha256Hex(TOKEN), "text", "INFO"),
        Map.of("FULCRUM_SCIM_TOKEN", token));
    int exit;
    try {
      assertThat(bridge.process().waitFor(60, TimeUnit.SECONDS)).as("stopped by itself").isTrue();
    } finally {
      exit = bridge.terminate();
    }
    assertThat(exit).isEqualTo(2);
    assertThat(dir.resolve("bridge.db")).as("refused before the database is opened").doesNotExist();
    return bridge.output();
  }

  @Test
  void aScimTokenShorterThan32CharactersIsRefusedAtStartInOneLineNamingItsPlace() throws Exception {
    assertThat(refusedAtStart("okta-token-0123456789abcdefABCD")).singleElement().asString()
        .startsWith("environment (under systemd: /etc/fulcrum-scim/env): FULCRUM_SCIM_TOKEN: is 31 characters long; ")
        .contains("token new").doesNotContain("okta-token");
  }

  @Test
  void aRepetitiveScimTokenIsRefusedAtStartInOneLine() throws Exception {
    assertThat(refusedAtStart("changeme".repeat(4))).singleElement().asString()
        .startsWith("environment (under systemd: /etc/fulcrum-scim/env): FULCRUM_SCIM_TOKEN: has only 7 different characters")
        .doesNotContain("changeme");
  }
}
