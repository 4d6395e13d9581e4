package com.fulcrumscim.ops;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseException;
import com.fulcrumscim.db.MigrationRefusedException;
import com.fulcrumscim.db.SchemaVersionException;
import com.fulcrumscim.db.SqliteDirectory;
import com.fulcrumscim.db.StoreLock;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Predicate;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every operator command shares, as a picocli mixin: {@code --config}, output streams, and
 * turning config, database and command failures into one line on stderr and an {@link ExitCode}.
 */
public final class CommandSupport {
  /** The config file without --config: the file this variable names, else {@link #CONFIG_FALLBACK} here. */
  public static final String CONFIG_ENV = "FULCRUM_SCIM_CONFIG";
  public static final String CONFIG_FALLBACK = "config.yml";
  /** {@code --config}'s default in picocli's words. */
  public static final String CONFIG_DEFAULT = "${env:" + CONFIG_ENV + ":-" + CONFIG_FALLBACK + "}";

  /** The body of a command that needs the database. */
  @FunctionalInterface
  public interface WithDatabase {
    int run(BridgeConfig config, Database db) throws Exception;
  }

  /** The body of a command that needs only the config. */
  @FunctionalInterface
  public interface WithConfig {
    int run(BridgeConfig config) throws Exception;
  }

  @Option(names = "--config", paramLabel = "FILE", defaultValue = CONFIG_DEFAULT,
      description = "Config file (default: ${DEFAULT-VALUE}).")
  Path configFile;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  private Set<String> unresolved = Set.of();
  private boolean failuresAsJson;

  public Path configFile() {
    return configFile;
  }

  /** The keys the last {@link #withConfig(Predicate, WithConfig)} left at their default: their variable is unset here. */
  public Set<String> unresolved() {
    return unresolved;
  }

  public PrintWriter out() {
    return command.commandLine().getOut();
  }

  public PrintWriter err() {
    return command.commandLine().getErr();
  }

  /** Runs {@code body} with the whole config: every variable it names must be set. */
  public int withConfig(WithConfig body) {
    return withConfig(key -> true, body);
  }

  /** Runs {@code body} with the keys {@code needed} accepts resolved; see {@link ConfigLoader#load(Path, Predicate)}. */
  public int withConfig(Predicate<String> needed, WithConfig body) {
    try {
      ConfigLoader.Partial loaded = ConfigLoader.fromSystemEnvironment().loadPartly(configFile, needed);
      unresolved = loaded.unresolved();
      // an in-process resync logs Fulcrum's answers, which may quote a credential: masked as in the daemon's log
      LoggingSetup.forCommand(loaded.config().logging());
      return body.run(loaded.config());
    } catch (ConfigException e) {
      return failed(e.getMessage(), ExitCode.CONFIG);
    } catch (SchemaVersionException e) {
      return failed(e.getMessage(), e.newer() ? ExitCode.CONFIG : ExitCode.FAILED);
    } catch (MigrationRefusedException e) {
      return failed(e.getMessage(), ExitCode.CONFIG);
    } catch (CommandFailure e) {
      return failed(e.getMessage(), e.exitCode());
    } catch (DatabaseException e) {
      return failed(e.getMessage(), ExitCode.FAILED);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      return failed(e.getMessage(), ExitCode.FAILED);
    } finally {
      out().flush();
      err().flush();
    }
  }

  /** A command's failure as {@code --json} prints it on standard output, beside the line on standard error. */
  record Failure(String error, int exitCode) {}

  /** With {@code --json}: a failure is printed as a JSON object too, so a script reading standard output gets JSON. */
  public void failuresAsJson(boolean json) {
    failuresAsJson = json;
  }

  /**
   * A failure that ends the command, printed on standard error and, with {@code --json}, as a JSON
   * object on standard output: those {@link #withConfig} catches, and those a command answers itself
   * (an operator request's refusal, a resync Fulcrum refused); returns {@code exitCode}.
   */
  public int failed(String message, int exitCode) {
    err().println(message);
    if (failuresAsJson) {
      out().println(CliJson.write(new Failure(message, exitCode)));
    }
    return exitCode;
  }

  /**
   * For commands that change the database beside the daemon (safe while it runs: WAL, busy
   * timeout). Opens only an existing database of this build's schema: a mistyped
   * {@code storage.path} must not leave an empty database behind, and only {@code serve} and
   * {@code db migrate} migrate. Only {@code storage.*} and {@code guard.*} (the removal guard's
   * limits) have to resolve: these commands never call Fulcrum themselves, so an operator's shell
   * without the unit's environment (the API token, {@code server.port}'s variable) runs them. One
   * that may call Fulcrum in-process asks for {@link #wholeConfig} when it does.
   */
  public int withDatabase(WithDatabase body) {
    return withConfig(key -> key.startsWith("storage.") || key.startsWith("guard."),
        config -> open(config, Database.Access.READ_WRITE, body));
  }

  /**
   * The config with every variable resolved, read again from {@code --config}: for the part of a
   * {@link #withDatabase} command that calls Fulcrum itself (a resync with no daemon running). A
   * {@link ConfigException} thrown here is reported as any config error of the command is.
   */
  public BridgeConfig wholeConfig() {
    return ConfigLoader.fromSystemEnvironment().load(configFile);
  }

  /**
   * For commands that only look: the database opens read-only, and only {@code storage.*} has to
   * resolve, so the host's shell needs no Fulcrum API token to run them.
   */
  public int readDatabase(WithDatabase body) {
    return withConfig(key -> key.startsWith("storage."), config -> open(config, Database.Access.READ_ONLY, body));
  }

  /**
   * For the commands that replace or rewrite the SQLite file wholesale (restore, db migrate; and see
   * {@link #exclusivelyOnExisting}): {@code body} runs holding the store's lock (see
   * {@link StoreLock}) from before its first look until it ends, so no {@code serve} starts on the
   * file meanwhile; while {@code serve} or another such command holds it, refused at once with
   * {@code whenInUse}. Only {@code storage.*} has to resolve.
   */
  public int exclusively(String commandName, int whenInUse, WithConfig body) {
    return withConfig(key -> key.startsWith("storage."), config -> locked(commandName, whenInUse, config, body));
  }

  /**
   * {@link #exclusively}, refused with exit 1, for a command that works on the SQLite file as it is
   * (db copy, db mark-restored): a mistyped storage.path is refused before a lock file (or its
   * directory) is made there.
   */
  public int exclusivelyOnExisting(String commandName, WithConfig body) {
    return withConfig(key -> key.startsWith("storage."), config -> {
      if (!config.storage().postgres()) {
        existingFile(config);
      }
      return locked(commandName, ExitCode.FAILED, config, body);
    });
  }

  private static int locked(String commandName, int whenInUse, BridgeConfig config, WithConfig body) throws Exception {
    StoreLock lock;
    try {
      lock = StoreLock.take(StoreLocations.of(config.storage()), commandName);
    } catch (StoreLock.InUseException e) {
      throw new CommandFailure(whenInUse, e.getMessage() + "; nothing was changed");
    }
    try (lock) {
      return body.run(config);
    }
  }

  /** Opens the configured store for {@code body}, for a command that has read the config itself. */
  public int open(BridgeConfig config, Database.Access access, WithDatabase body) throws Exception {
    if (config.storage().postgres()) {
      try (Database db = Database.openExisting(StoreLocations.of(config.storage()), access)) {
        return body.run(config, db);
      }
    }
    try (Database db = Database.openExisting(existingFile(config), access)) {
      return body.run(config, db);
    }
  }

  /**
   * The SQLite file at storage.path, which a command must not create: one line when it is not
   * there, or when this user may not read it (run as another user than the service's).
   */
  public Path existingFile(BridgeConfig config) {
    Path path = config.storage().path();
    SqliteDirectory.unreadable(path).ifPresent(problem -> {
      throw new CommandFailure(problem);
    });
    if (!Files.exists(path)) {
      // serve would refuse this directory too: telling the operator to run it would send them in a circle
      SqliteDirectory.problem(path).ifPresent(problem -> {
        throw config.storage().pathProblem(configFile.toString(), "no database at " + path.toAbsolutePath()
            + ", and serve cannot create it: " + problem);
      });
      throw new CommandFailure("no database at " + path.toAbsolutePath()
          + " (storage.path in " + configFile + "); `fulcrum-scim serve` creates it");
    }
    return path;
  }
}
