package com.fulcrumscim.ops;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every operator command shares, as a picocli mixin: {@code --config}, output streams, and
 * turning config, database and command failures into one line on stderr and an {@link ExitCode}.
 */
public final class CommandSupport {
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

  @Option(names = "--config", paramLabel = "FILE", defaultValue = "${env:FULCRUM_SCIM_CONFIG:-config.yml}",
      description = "Config file (default: ${DEFAULT-VALUE}).")
  Path configFile;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  public Path configFile() {
    return configFile;
  }

  public PrintWriter out() {
    return command.commandLine().getOut();
  }

  public PrintWriter err() {
    return command.commandLine().getErr();
  }

  public int withConfig(WithConfig body) {
    try {
      return body.run(ConfigLoader.fromSystemEnvironment().load(configFile));
    } catch (ConfigException e) {
      err().println(e.getMessage());
      return ExitCode.CONFIG;
    } catch (CommandFailure e) {
      err().println(e.getMessage());
      return e.exitCode();
    } catch (DatabaseException e) {
      err().println(e.getMessage());
      return ExitCode.FAILED;
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      err().println(e.getMessage());
      return ExitCode.FAILED;
    } finally {
      out().flush();
      err().flush();
    }
  }

  /**
   * Opens the database the daemon uses (safe while it runs: WAL, busy timeout) and only an
   * existing one: a mistyped {@code storage.path} must not leave an empty database behind.
   */
  public int withDatabase(WithDatabase body) {
    return withConfig(config -> {
      Path path = config.storage().path();
      if (!Files.exists(path)) {
        throw new CommandFailure("no database at " + path.toAbsolutePath()
            + " (storage.path in " + configFile + "); `fulcrum-scim serve` creates it");
      }
      try (Database db = Database.open(path)) {
        return body.run(config, db);
      }
    });
  }
}
