package com.fulcrumscim.cli;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.DatabaseCorruptException;
import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.SchemaVersionException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code serve [--config FILE]}: runs the bridge until SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the bridge: the SCIM endpoint, its store (created and migrated at start) and the reconciler.")
public final class ServeCommand implements Callable<Integer> {
  static final int CONFIG_ERROR = 2;
  static final int START_ERROR = 1;

  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", defaultValue = "config.yml",
      description = "config file (default: ${DEFAULT-VALUE})")
  Path config;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    BridgeConfig cfg;
    try {
      cfg = ConfigLoader.fromSystemEnvironment().load(config);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return CONFIG_ERROR;
    }
    setLogLevel(cfg.logging().level());
    Bridge bridge;
    try {
      bridge = new Bridge(cfg, System::getenv, Clock.systemUTC(), new SecureRandom()).start();
    } catch (ConfigException e) {
      // a TLS problem names the certificate or key file; a setting Fulcrum contradicts
      // (users.reassign_records_to) names the config file. Either way not restartable: exit 2
      ConfigException told = e.key().startsWith("server.tls.") ? e : e.in(config.toString());
      spec.commandLine().getErr().println(told.getMessage());
      return CONFIG_ERROR;
    } catch (DatabaseCorruptException e) {
      // a restart would find the same file: the unit's RestartPreventExitStatus stops the loop
      spec.commandLine().getErr().println("cannot start: " + e.getMessage());
      return CONFIG_ERROR;
    } catch (SchemaVersionException e) {
      spec.commandLine().getErr().println("cannot start: " + e.getMessage());
      return e.newer() ? CONFIG_ERROR : START_ERROR;
    } catch (RuntimeException e) {
      // port taken, database unreadable: one line an operator can act on
      spec.commandLine().getErr().println("cannot start: " + e.getMessage());
      return START_ERROR;
    }
    bridge.generatedToken().ifPresent(token -> out.println("SCIM token: " + token
        + "   (shown once; only its hash is kept. Set scim.token_hashes or FULCRUM_SCIM_TOKEN to choose your own)"));
    out.println("SCIM endpoint: " + bridge.scimBaseUrl());
    out.println("Fulcrum target: " + bridge.target());
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      bridge.stop();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
    return 0;
  }

  private static void setLogLevel(String level) {
    if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(ch.qos.logback.classic.Level.toLevel(level));
    }
  }
}
