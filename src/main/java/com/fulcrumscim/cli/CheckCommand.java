package com.fulcrumscim.cli;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumRole;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.ops.CommandFailure;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.ops.TextTable;
import com.fulcrumscim.reconcile.PolicyCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Check a deployment before starting it: the config is valid, the database opens, and Fulcrum answers",
      "with the API token (prints the token's owner and the organization's roles, and warns when the owner is",
      "a managed member). Makes two read-only Fulcrum calls (three with users.reassign_records_to, which must",
      "name an existing membership); with fulcrum.base_url: embedded it says so and calls nothing."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:ready to serve",
      "1:the database cannot be opened",
      "2:invalid config (one line naming the key) or command line",
      "4:Fulcrum unreachable, or it refuses the API token (the message says which)"
    })
public final class CheckCommand implements Callable<Integer> {
  @Mixin CommandSupport support;

  @Override
  public Integer call() {
    return support.withConfig(config -> {
      TextTable report = new TextTable("Config", support.configFile() + ": valid");
      try (Database db = Database.open(config.storage().path())) {
        report.row("Database", db.path() + ": opens");
      }
      if (config.fulcrum().embedded()) {
        report.row("Fulcrum", "embedded: the built-in emulator (no Fulcrum account or API token used)");
      } else {
        fulcrum(config, support.configFile().toString(), report);
      }
      report.print(support.out(), "");
      return ExitCode.OK;
    });
  }

  private static void fulcrum(BridgeConfig config, String source, TextTable report) {
    BridgeConfig.Fulcrum cfg = config.fulcrum();
    String url = cfg.baseUrl();
    FulcrumUser owner;
    List<FulcrumRole> roles;
    Optional<FulcrumMember> reassignTo;
    try (HttpFulcrumClient client = HttpFulcrumClient.create(cfg, url, new SimpleMeterRegistry())) {
      owner = client.tokenOwner();
      roles = client.roles();
      reassignTo = PolicyCheck.reassignTarget(source, config.users(), client);
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
        .row("Roles", roles.stream().map(r -> r.name() + (r.isDefault() ? " (default)" : "")).collect(Collectors.joining(", ")))
        .row("Removed members' records", reassignTo.map(m -> "go to " + m.email() + " (" + m.id() + ")").orElse("unassigned"));
    try (Database db = Database.open(config.storage().path())) {
      PolicyCheck.managedOwner(db, owner).ifPresent(scimId ->
          report.row("WARNING", PolicyCheck.managedOwnerWarning(owner, scimId)));
    }
  }

  private static String name(FulcrumUser u) {
    String name = ((u.firstName() == null ? "" : u.firstName()) + " " + (u.lastName() == null ? "" : u.lastName())).strip();
    return name.isEmpty() ? "(no name)" : name;
  }
}
