package com.fulcrumscim.cli;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.app.GeneratedTokenClaim;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.DatabaseCorruptException;
import com.fulcrumscim.db.MigrationRefusedException;
import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.SchemaVersionException;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.LoggingSetup;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code serve [--config FILE]}: runs the bridge until SIGTERM or SIGINT, then stops it in order and
 * exits 0 (systemd counts the stop as clean), or 1 when the stop was cut short at its bound. SIGHUP
 * re-reads the config file and applies what can change without a restart.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the bridge: the SCIM endpoint, its store (created and migrated at start) and the reconciler.")
public final class ServeCommand implements Callable<Integer> {
  static final int CONFIG_ERROR = 2;
  static final int START_ERROR = 1;
  /** A stop whose bound ran out before what it waited for ended. */
  static final int STOP_CUT_SHORT = 1;
  static final String JETTY_BIND_FAILURE = "Failed to bind to ";
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Spec CommandSpec spec;

  /** Guards {@link #started} and {@link #reloadAsked}, and keeps reloads one at a time. */
  private final Object reloading = new Object();
  private Bridge started;
  private boolean reloadAsked;

  @Option(names = "--config", paramLabel = "FILE", defaultValue = CommandSupport.CONFIG_DEFAULT,
      description = "config file (default: ${DEFAULT-VALUE}; the package's wrapper sets /etc/fulcrum-scim/config.yml)")
  Path config;

  @Override
  public Integer call() throws InterruptedException {
    return serve(spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /**
   * The serve {@code args} ask for when they are {@code serve} alone or {@code serve --config FILE}, what
   * the unit and the packaged command run, else empty: picocli parses every other command line. Its
   * classes are Java 5 class files, which the class-data archive cannot hold, so reading serve's model
   * through them was about a fifth of the main thread's work before ready (issue 12). A FILE picocli
   * would read otherwise (an option, an @-file) is left to it.
   */
  static Optional<ServeCommand> plain(String... args) {
    List<String> given = List.of(args);
    Optional<String> file = given.equals(List.of("serve"))
        ? Optional.of(Optional.ofNullable(System.getenv(CommandSupport.CONFIG_ENV)).orElse(CommandSupport.CONFIG_FALLBACK))
        : given.size() == 3 && given.subList(0, 2).equals(List.of("serve", "--config")) ? Optional.of(given.get(2))
        : Optional.empty();
    return file.filter(f -> !f.startsWith("-") && !f.startsWith("@")).map(f -> {
      ServeCommand serve = new ServeCommand();
      serve.config = Path.of(f);
      return serve;
    });
  }

  /** Runs the bridge until stopped: the exit code, {@code out} and {@code err} as the command's. */
  int serve(PrintWriter out, PrintWriter err) throws InterruptedException {
    BridgeConfig cfg;
    try {
      cfg = ConfigLoader.fromSystemEnvironment().load(config);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return CONFIG_ERROR;
    }
    LoggingSetup.apply(cfg.logging());
    boolean json = "json".equals(cfg.logging().format());
    // Installed before the start so a stop requested during it is seen right after.
    CountDownLatch stop = new CountDownLatch(1);
    List<String> stoppedBy = new ArrayList<>(1);
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        synchronized (stoppedBy) {
          stoppedBy.add("SIG" + signal.getName());
        }
        stop.countDown();
      });
    }
    // Before the start too: the JVM's own SIGHUP handler ends the process, silently, and
    // `systemctl reload` right after a start is what configuration management does.
    Signal.handle(new Signal("HUP"), signal -> hangUp());
    Bridge bridge;
    try {
      ListenCheck.check(cfg.server());
      bridge = new Bridge(cfg, System::getenv, Clock.systemUTC(), new SecureRandom()).start();
    } catch (ConfigException e) {
      // a TLS problem names the certificate or key file, a weak SCIM token the environment; a setting
      // Fulcrum contradicts (users.reassign_records_to) names the config file. Either way not restartable: exit 2
      ConfigException told = e.key().startsWith("server.tls.") || e.key().equals(Bridge.SCIM_TOKEN_ENV) ? e : e.in(config.toString());
      err.println(told.getMessage());
      return CONFIG_ERROR;
    } catch (DatabaseCorruptException e) {
      // a restart would find the same file: the unit's RestartPreventExitStatus stops the loop
      err.println("cannot start: " + e.getMessage());
      return CONFIG_ERROR;
    } catch (MigrationRefusedException e) {
      // another node still runs the release the schema belongs to: restarting would only find it
      // again, and migrating under it is what must not happen, so an operator stops the nodes first
      err.println("cannot start: " + e.getMessage());
      return CONFIG_ERROR;
    } catch (SchemaVersionException e) {
      err.println("cannot start: " + e.getMessage());
      return e.newer() ? CONFIG_ERROR : START_ERROR;
    } catch (RuntimeException e) {
      // port taken, database unreadable: one line an operator can act on (a log line in JSON mode)
      if (json) {
        log.error("cannot start: {}", startFailure(e, cfg.server(), config));
      } else {
        err.println("cannot start: " + startFailure(e, cfg.server(), config));
      }
      return START_ERROR;
    }
    // kept before it is shown: of two nodes starting at once on a fresh database, only the first kept is accepted
    bridge.claimGeneratedToken().ifPresent(claim -> {
      String line = claim.line();
      // Shown whatever logging.level says, and its hash kept only if it was: later starts accept it
      // without showing it again, so a token nobody saw would shut Okta out for good.
      if (json) {
        LoggingSetup.always(log, line);
      } else {
        out.println(line);
        out.flush();
      }
      if (!json && out.checkError()) {
        bridge.generatedTokenNotShown();
      }
    });
    List<String> announced = List.of("SCIM endpoint: " + bridge.scimBaseUrl(), "Fulcrum target: " + bridge.target());
    for (String line : announced) {
      // In JSON mode every line a log pipeline sees must be JSON, these included.
      if (json) {
        log.info(line);
      } else {
        out.println(line);
      }
    }
    out.flush();
    synchronized (reloading) {
      started = bridge;
      if (reloadAsked) {
        reload(bridge);
      }
    }
    stop.await();
    synchronized (stoppedBy) {
      log.info("{} received: stopping (no new SCIM requests; the apply in flight finishes)", stoppedBy.get(0));
    }
    if (!bridge.stop()) {
      // not 0: systemd shows the unit failed until its next start (it restarts no unit it was told to stop), and
      // `podman stop` the container exited 1, so what the database or Fulcrum did at the stop is seen (review-s14c F8)
      log.warn("stopped, cut short at the stop's bound (the lines above say what was left): what was under way is picked"
          + " up as after a crash, by the next start or by the node that takes the writer lease over; exit {}", STOP_CUT_SHORT);
      return STOP_CUT_SHORT;
    }
    log.info("stopped cleanly");
    return 0;
  }

  /**
   * Javalin reports every failed bind as "Port already in use"; its causes tell which it was: the
   * port taken, server.host not an address of this host, a name that does not resolve. Each may pass
   * (the old process exiting, an address added late, DNS coming up), so they are exit 1: systemd tries
   * again ({@link ListenCheck} finds the first two before Fulcrum is called). A port taken is named
   * with the key of {@code file} that sets it: the SCIM port, or the ops port.
   */
  static String startFailure(RuntimeException e, BridgeConfig.Server server, Path file) {
    String address = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage();
      if (message.startsWith(JETTY_BIND_FAILURE)) {
        address = message.substring(JETTY_BIND_FAILURE.length()).replace("/<unresolved>", "").replaceFirst("^/", "");
      }
      if (t instanceof UnresolvedAddressException) {
        return "cannot listen on " + address + ": server.host does not resolve to an address";
      }
      if (t instanceof BindException) {
        return "cannot listen on " + address + ": " + message + (message.contains("assign requested address")
            ? " (server.host in " + file + " is not an address of this host, or not yet)" : message.contains("in use")
            ? " (another process has the port: stop it, or set " + portKey(address, server) + " in " + file + " to a free port)"
            : "");
      }
    }
    return e.getMessage();
  }

  /** Which key set the port of {@code address} ("host:port"): server.ops_port when it is that one. */
  private static String portKey(String address, BridgeConfig.Server server) {
    String port = address == null ? "" : address.substring(address.lastIndexOf(':') + 1);
    return server.opsPort() != 0 && port.equals(Integer.toString(server.opsPort())) ? "server.ops_port" : "server.port";
  }

  /** SIGHUP: reloads now, or once started when the start is still under way (it reads the config as it was). */
  private void hangUp() {
    synchronized (reloading) {
      if (started != null) {
        reload(started);
      } else if (!reloadAsked) {
        reloadAsked = true;
        log.info("SIGHUP during start-up: {} is re-read once the bridge has started", config);
      }
    }
  }

  /** SIGHUP: a config that no longer loads changes nothing; the daemon keeps running either way. */
  private void reload(Bridge bridge) {
    try {
      BridgeConfig fresh = ConfigLoader.fromSystemEnvironment().load(config);
      List<String> changed = bridge.reload(fresh); // may refuse (a certificate that does not load): nothing changes
      List<String> reloaded = new ArrayList<>();
      reloaded.add("logging.level " + LoggingSetup.setLevel(fresh.logging().level()));
      reloaded.addAll(changed);
      List<String> waiting = bridge.restartOnly(fresh);
      // whatever the new logging.level: at WARN the operator's reload would otherwise go unanswered
      LoggingSetup.always(log, "SIGHUP: reloaded " + String.join(", ", reloaded) + " from " + config + "; " + (waiting.isEmpty()
          ? "no setting that needs a restart changed"
          : String.join(", ", waiting) + (waiting.size() == 1 ? " changed: takes" : " changed: take")
              + " effect at restart (systemctl restart fulcrum-scim), not at a reload"));
    } catch (RuntimeException e) {
      log.error("SIGHUP: nothing reloaded, {} keeps the settings it had: {}", config, e.getMessage());
    }
  }
}
