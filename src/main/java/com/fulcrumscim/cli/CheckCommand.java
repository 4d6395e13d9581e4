package com.fulcrumscim.cli;

import com.fulcrumscim.app.EmbeddedFulcrum;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.control.CommandLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.db.SqliteDirectory;
import com.fulcrumscim.fulcrum.BeforeSend;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumRole;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.SeedException;
import com.fulcrumscim.ops.FulcrumCallLog;
import com.fulcrumscim.ops.StoreLocations;
import com.fulcrumscim.ops.CommandFailure;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.ops.TextTable;
import com.fulcrumscim.ops.TlsSupport;
import com.fulcrumscim.ops.WriteTest;
import com.fulcrumscim.reconcile.PolicyCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Check a deployment before starting it: the config, the TLS files, the database and Fulcrum.",
      "The config must be valid, and the TLS certificate and key load as serve loads them. The database (if any) "
          + "must open without being created or migrated, and storage.path's directory be one serve can create it "
          + "in. Fulcrum must answer with the API token: check prints the "
          + "token's owner and the organization's roles, and warns when the owner is a managed member. Every roles.map "
          + "value and roles.default must be one of those roles, and the token's user must be allowed to list members, "
          + "as serve checks at start (one member read). It makes three read-only Fulcrum calls (four with "
          + "users.reassign_records_to, which must name an existing membership); with fulcrum.base_url: embedded it "
          + "makes them to the emulator serve would start, seeded alike. Once the database exists, its calls (and "
          + "--write-test's) count in the hourly budget the daemons share."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:ready to serve (with --write-test: every assumption holds)",
      "1:the database cannot be opened or needs `db migrate`; or --write-test was refused (a process holds the writer "
          + "lease, or the organization is managed) or found an assumption that does not hold",
      "2:invalid config or TLS files (one line naming the key; also a roles.map value, roles.default or "
          + "users.reassign_records_to Fulcrum does not have), a database newer than this build, or command line",
      "4:Fulcrum unreachable, or it refuses the API token, or the token's user the member list (the message says which)"
    })
public final class CheckCommand implements Callable<Integer> {
  @Mixin CommandSupport support;
  @Spec CommandSpec spec;

  @Option(names = "--write-test", description = {
      "Also try each undocumented Fulcrum API shape the bridge relies on: create a throwaway member and group (named "
          + WriteTest.MARKER + "), rename the member, change its role, add it to the group taking the token owner out in "
          + "the same change, remove it (twice: removing a non-member), create a second group of the same name, rename "
          + "the group, say whether Fulcrum answers member changes with the group's member_ids (without them the "
          + "bridge reads each change back), delete the member while in the group (the group must drop it), then the "
          + "group. About 30 calls. Nothing is left behind, also when interrupted; a leftover of a "
          + "killed run is removed by the next.",
      "Run it once against a sandbox organization. It is refused while the daemon (also one still starting) or an "
          + "operator command holds the writer lease, and when the database links users or groups into the organization "
          + "(see " + WriteTestGuard.ALLOW_MANAGED_ORG + "). It holds the lease itself from its first call to its last: "
          + "a daemon started meanwhile waits until it ends."})
  boolean writeTest;

  @Option(names = WriteTestGuard.ALLOW_MANAGED_ORG, description = "With --write-test: run it although the database "
      + "links users or groups into the organization, which the bridge provisions. Only for a sandbox organization: the "
      + "test invites a member there (a seat, an invitation email) and creates a group.")
  boolean allowManagedOrg;

  @Override
  public Integer call() {
    if (allowManagedOrg && !writeTest) {
      throw new ParameterException(spec.commandLine(), WriteTestGuard.ALLOW_MANAGED_ORG + " only goes with --write-test");
    }
    return support.withConfig(config -> {
      TextTable report = new TextTable("Config", support.configFile() + ": valid");
      if (config.server().tls().enabled()) {
        // the very loader serve uses: a key check accepts, serve accepts
        TlsSupport.load(config.server().tls());
        report.row("TLS", config.server().tls().certificate() + ": certificate and key load and match");
      }
      report.row("Database", database(support.configFile().toString(), config.storage()));
      if (config.fulcrum().embedded()) {
        if (writeTest) {
          throw new CommandFailure(ExitCode.CONFIG, "fulcrum.base_url is 'embedded': --write-test needs a Fulcrum to write "
              + "to; point fulcrum.base_url at a sandbox organization (or at `fulcrum-scim emulator`)");
        }
        return embedded(config, report);
      }
      try (Database db = existingDatabase(config.storage());
          // held from before the first call to the last: a daemon starting meanwhile stands by until the test ends
          CommandLease lease = writeTest ? WriteTestGuard.hold(db, config.ha().leaseTtl(), allowManagedOrg).orElse(null) : null;
          HttpFulcrumClient client = HttpFulcrumClient.create(config.fulcrum(), config.fulcrum().baseUrl(),
              new SimpleMeterRegistry(), fenced(lease, budget(db, config.fulcrum())))) {
        fulcrum(client, config, config.fulcrum().baseUrl() + ": reachable, token accepted", report, db);
        report.print(support.out(), "");
        return writeTest ? writeTest(client, config.fulcrum().baseUrl()) : ExitCode.OK;
      } catch (IllegalArgumentException badToken) {
        throw new CommandFailure(ExitCode.CONFIG, badToken.getMessage());
      }
    });
  }

  /**
   * The emulator serve would start, seeded as it would be: the settings it contradicts fail here as
   * against a real Fulcrum. Its calls spend no budget: they reach no Fulcrum.
   */
  private int embedded(BridgeConfig config, TextTable report) {
    BridgeConfig.Fulcrum f = config.fulcrum();
    try (Database db = existingDatabase(config.storage());
        FulcrumEmulator emulator = emulator(f);
        HttpFulcrumClient client = new HttpFulcrumClient(FulcrumSettings.of(emulator.baseUrl(), emulator.token(),
            f.callsPerHour(), f.connectTimeout(), f.readTimeout()), new SimpleMeterRegistry(), Clock.systemUTC(),
            Sleeper.REAL, FulcrumCallListener.NONE, BeforeSend.NONE)) {
      fulcrum(client, config, "embedded: the built-in emulator (no Fulcrum account or API token used)", report, db);
    }
    report.print(support.out(), "");
    return ExitCode.OK;
  }

  private FulcrumEmulator emulator(BridgeConfig.Fulcrum f) {
    try {
      return EmbeddedFulcrum.start(f);
    } catch (SeedException e) {
      throw new ConfigException(support.configFile().toString(), "fulcrum.emulator_seed", e.getMessage());
    }
  }

  private int writeTest(HttpFulcrumClient client, String url) {
    WriteTest test = new WriteTest(client, new SecureRandom());
    // Ctrl-C or SIGTERM mid-run: delete what was created before the JVM goes
    Thread onInterrupt = new Thread(test::interrupt, "write-test-cleanup");
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    List<WriteTest.Finding> findings;
    try {
      findings = test.run();
    } catch (FulcrumException e) {
      throw failure(url, e);
    } finally {
      removeHook(onInterrupt);
    }
    support.out().println();
    TextTable table = new TextTable("ASSUMPTION", "RESULT", "DETAIL");
    findings.forEach(f -> table.row(f.assumption(), f.informational() ? "note" : f.holds() ? "holds" : "DIFFERS", f.result()));
    table.print(support.out(), "");
    boolean allHold = findings.stream().allMatch(WriteTest.Finding::holds);
    support.out().println(allHold ? "Every assumption holds; nothing was left behind."
        : "An assumption does not hold: the bridge would not work as designed against this Fulcrum. "
            + "Keep the table for the bridge's maintainers.");
    return allHold ? ExitCode.OK : ExitCode.FAILED;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run: it cleans up
    }
  }

  /** Looks without creating or migrating: check may run beside a daemon of another version. */
  private static String database(String source, BridgeConfig.Storage storage) {
    if (storage.postgres()) {
      try (Database db = Database.openExisting(StoreLocations.of(storage), Database.Access.READ_ONLY)) {
        return storage.describe() + ": opens, schema current";
      }
    }
    Path path = storage.path();
    // as serve refuses it at start
    SqliteDirectory.problem(path).ifPresent(problem -> {
      throw storage.pathProblem(source, problem);
    });
    if (!Files.exists(path)) {
      return path.toAbsolutePath() + ": not created yet (`fulcrum-scim serve` creates it)";
    }
    try (Database db = Database.openExisting(path, Database.Access.READ_ONLY)) {
      return db.path() + ": opens, schema current";
    }
  }

  /** The database {@code serve} made, opened as operator commands open it (never created or migrated); null: none yet. */
  private static Database existingDatabase(BridgeConfig.Storage storage) {
    if (!storage.postgres() && !Files.exists(storage.path())) {
      return null;
    }
    return Database.openExisting(StoreLocations.of(storage), Database.Access.READ_WRITE);
  }

  /**
   * check's calls spend the token's hourly budget like any node's: they are counted where the
   * daemons count theirs, so a check beside a running daemon cannot push Fulcrum past it. Without a
   * database there is no daemon, and nothing to count in.
   */
  private static BeforeSend budget(Database db, BridgeConfig.Fulcrum fulcrum) {
    return db == null ? BeforeSend.NONE
        : new FulcrumCallLog(db, DatabaseClock.of(db, Clock.systemUTC()), fulcrum.callsPerHour());
  }

  /** The write test's writes go only while its lease is live, as a daemon's and an operator command's do. */
  private static BeforeSend fenced(CommandLease lease, BeforeSend budget) {
    return lease == null ? budget : BeforeSend.writesFencedBy(lease.fence(), budget);
  }

  private void fulcrum(HttpFulcrumClient client, BridgeConfig config, String reached, TextTable report, Database db) {
    String source = support.configFile().toString();
    String where = config.fulcrum().embedded() ? "the embedded emulator" : config.fulcrum().baseUrl();
    FulcrumUser owner;
    List<FulcrumRole> roles;
    Optional<FulcrumMember> reassignTo;
    try {
      owner = client.tokenOwner();
      roles = client.roles();
      membersListed(client, where);
      reassignTo = PolicyCheck.reassignTarget(source, config.users(), client);
    } catch (FulcrumException e) {
      throw failure(where, e);
    }
    PolicyCheck.rolesExist(source, config.roles(), roles);
    report.row("Fulcrum", reached)
        .row("Token owner", name(owner) + " <" + owner.email() + "> (never removed by the bridge)")
        .row("Roles", roles.stream().map(r -> r.name() + (r.isDefault() ? " (default)" : "")).collect(Collectors.joining(", ")))
        .row("Removed members' records", reassignTo.map(m -> "go to " + m.email() + " (" + m.id() + ")").orElse("unassigned"));
    if (db != null) {
      PolicyCheck.managedOwner(db, owner).ifPresent(scimId -> report.row("WARNING", PolicyCheck.managedOwnerWarning(owner, scimId)));
      PolicyCheck.frozenGroupsWarning(PolicyCheck.frozenGroups(db, config.groups().push()))
          .ifPresent(w -> report.row("WARNING", w));
    }
  }

  /**
   * The read serve makes at start (the member list's first page): refused to the token's user, serve
   * starts paused, as every change needs the list; check fails with serve's advice instead of passing.
   */
  private static void membersListed(HttpFulcrumClient client, String where) {
    try {
      client.readFirstMemberPage();
    } catch (FulcrumException.Forbidden refused) {
      throw new CommandFailure(ExitCode.FULCRUM, "Fulcrum at " + where + " takes the API token, but refuses the"
          + " member list to " + (refused.status() == 402 ? "the organization's plan" : "its user") + ", which every change needs (" + refused.getMessage() + "): serve would start paused; "
          + refused.whatItNeeds());
    }
  }

  private static CommandFailure failure(String url, FulcrumException e) {
    String message;
    if (e instanceof FulcrumException.Unauthorized) {
      message = "is reachable but refuses the API token (401): set fulcrum.api_token to a valid token of an Owner";
    } else if (e instanceof FulcrumException.Forbidden f) {
      message = "is reachable but the token's user may not do this (" + f.status() + "): use an Owner's API token";
    } else if (e instanceof FulcrumException.RateLimited r && r.limit() == FulcrumException.RateLimited.Limit.FULCRUM) {
      // Fulcrum's own limit: this bridge may have kept well within its budget
      message = "takes no more calls for now: Fulcrum's own rate limit holds them back (" + r.getMessage() + "), counted"
          + " per API token user: the Owner's other scripts and integrations spend it too, or fulcrum.calls_per_hour is"
          + " set above Fulcrum's limit; try again in " + r.retryAfter().toSeconds() + " s";
    } else if (e instanceof FulcrumException.RateLimited r) {
      message = "takes no more calls for now: the bridge's own hourly budget is spent (fulcrum.calls_per_hour counts"
          + " every node's calls, and check's); try again in " + r.retryAfter().toSeconds() + " s";
    } else if (e instanceof FulcrumException.Unavailable) {
      message = "is unreachable: " + e.getMessage();
    } else {
      message = "answered unexpectedly: " + e.getMessage();
    }
    return new CommandFailure(ExitCode.FULCRUM, "Fulcrum at " + url + " " + message);
  }

  private static String name(FulcrumUser u) {
    String name = ((u.firstName() == null ? "" : u.firstName()) + " " + (u.lastName() == null ? "" : u.lastName())).strip();
    return name.isEmpty() ? "(no name)" : name;
  }
}
