package com.fulcrumscim.cli;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumRole;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.ops.CommandFailure;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.ops.TextTable;
import com.fulcrumscim.ops.TlsSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Check a deployment before starting it: the config is valid, the TLS certificate and key load as serve",
      "loads them, the database (if any) opens without being created or migrated, and Fulcrum answers",
      "with the API token (prints the token's owner and the organization's roles). Makes two read-only",
      "Fulcrum calls; with fulcrum.base_url: embedded it says so and calls nothing."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:ready to serve",
      "1:the database cannot be opened, or needs `db migrate`",
      "2:invalid config or TLS files (one line naming the key), a database newer than this build, or command line",
      "4:Fulcrum unreachable, or it refuses the API token (the message says which)"
    })
public final class CheckCommand implements Callable<Integer> {
  @Mixin CommandSupport support;

  @Override
  public Integer call() {
    return support.withConfig(config -> {
      TextTable report = new TextTable("Config", support.configFile() + ": valid");
      if (config.server().tls().enabled()) {
        // the very loader serve uses: a key check accepts, serve accepts
        TlsSupport.load(config.server().tls());
        report.row("TLS", config.server().tls().certificate() + ": certificate and key load and match");
      }
      report.row("Database", database(config.storage().path()));
      if (config.fulcrum().embedded()) {
        report.row("Fulcrum", "embedded: the built-in emulator (no Fulcrum account or API token used)");
      } else {
        fulcrum(config.fulcrum(), report);
      }
      report.print(support.out(), "");
      return ExitCode.OK;
    });
  }

  /** Looks without creating or migrating: check may run beside a daemon of another version. */
  private static String database(Path path) {
    if (!Files.exists(path)) {
      return path.toAbsolutePath() + ": not created yet (`fulcrum-scim serve` creates it)";
    }
    try (Database db = Database.openExisting(path, Database.Access.READ_ONLY)) {
      return db.path() + ": opens, schema current";
    }
  }

  private static void fulcrum(BridgeConfig.Fulcrum cfg, TextTable report) {
    String url = cfg.baseUrl();
    FulcrumUser owner;
    List<FulcrumRole> roles;
    try (HttpFulcrumClient client = HttpFulcrumClient.create(cfg, url, new SimpleMeterRegistry())) {
      owner = client.tokenOwner();
      roles = client.roles();
    } catch (IllegalArgumentException badToken) {
      throw new CommandFailure(ExitCode.CONFIG, badToken.getMessage());
    } catch (FulcrumException.Unauthorized e) {
      throw new CommandFailure(ExitCode.FULCRUM, "Fulcrum at " + url + " is reachable but refuses the API token (401): "
          + "set fulcrum.api_token to a valid token of an Owner");
    } catch (FulcrumException.Forbidden e) {
      throw new CommandFailure(ExitCode.FULCRUM, "Fulcrum at " + url + " is reachable but the token's user may not "
          + "read users and roles (" + e.status() + "): use an Owner's API token");
    } catch (FulcrumException.Unavailable e) {
      throw new CommandFailure(ExitCode.FULCRUM, "Fulcrum at " + url + " is unreachable: " + e.getMessage());
    } catch (FulcrumException e) {
      throw new CommandFailure(ExitCode.FULCRUM, "Fulcrum at " + url + " answered unexpectedly: " + e.getMessage());
    }
    report.row("Fulcrum", url + ": reachable, token accepted")
        .row("Token owner", name(owner) + " <" + owner.email() + "> (never removed by the bridge)")
        .row("Roles", roles.stream().map(r -> r.name() + (r.isDefault() ? " (default)" : "")).collect(Collectors.joining(", ")));
  }

  private static String name(FulcrumUser u) {
    String name = ((u.firstName() == null ? "" : u.firstName()) + " " + (u.lastName() == null ? "" : u.lastName())).strip();
    return name.isEmpty() ? "(no name)" : name;
  }
}
