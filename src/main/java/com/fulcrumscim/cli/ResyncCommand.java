package com.fulcrumscim.cli;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.control.CommandChannel;
import com.fulcrumscim.control.OperatorActions;
import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.Watch;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.fulcrum.BeforeSend;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.FulcrumCallLog;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.resync.Resync;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "resync",
    mixinStandardHelpOptions = true,
    description = {
      "Compare Fulcrum with what Okta wants for the entities the bridge manages, and fix the drift.",
      "Drift is: members missing or edited in Fulcrum, managed groups renamed, deleted or with members edited by hand, "
          + "stale links, and members or groups the bridge created that no link points to any more (orphans). Unmanaged "
          + "members whose email a managed user wants are reported, never touched.",
      "Prints the plan as a table; without --dry-run applies it through the reconciler and checks again.",
      "While the daemon runs, the daemon does the work (it is the only writer to Fulcrum) and this command shows its "
          + "progress. With no daemon the command does it itself, holding the writer lease so a daemon starting "
          + "meanwhile waits; it then needs every variable of the config (the Fulcrum API token too), which the "
          + "daemon's way does not."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no drift remains",
      "1:drift remains (or a dry run found drift), another command holds the writer lease, a restore or db command holds "
          + "the SQLite file (or a restore replaced it since the command opened it), or no database at storage.path",
      "2:invalid config or command line",
      "4:Fulcrum unreachable, or it refuses the API token, or the embedded emulator with no daemon running"
    })
public final class ResyncCommand implements Callable<Integer> {
  @Mixin CommandSupport support;
  @Spec CommandSpec spec;

  @Option(names = "--dry-run", description = "Print the plan and change nothing (four read calls to Fulcrum).")
  boolean dryRun;

  @Option(names = "--json", description = "Print the report as JSON instead of tables.")
  boolean json;

  @Option(names = "--approve-removals", paramLabel = "N", description = "Also remove the orphan members that the "
      + "mass-removal guard holds (a resync without it removes them only within guard.mass_removal_percent / "
      + "guard.mass_removal_minimum): N of them, as many as the --dry-run plan shows. Check them with --dry-run first: "
      + "if this run finds more than N, it removes none of them.")
  Integer approveRemovals;

  @Override
  public Integer call() {
    support.failuresAsJson(json);
    if (dryRun && approveRemovals != null) {
      throw new ParameterException(spec.commandLine(), "--approve-removals applies a resync: drop --dry-run to use it");
    }
    if (approveRemovals != null && approveRemovals < 1) {
      throw new ParameterException(spec.commandLine(), "--approve-removals=N: N is how many orphan member removals "
          + "the --dry-run plan shows, 1 or more");
    }
    OperatorActions.Resyncing how = dryRun ? OperatorActions.Resyncing.DRY_RUN : OperatorActions.Resyncing.APPLY;
    return support.withDatabase((config, db) -> {
      ProgressLine progress = new ProgressLine(support.out(), support.err());
      OperatorRequest.Answer answer = new CommandChannel(db, Clock.systemUTC(), config.ha().leaseTtl(), support.err())
          .perform(approveRemovals == null ? how.kind() : OperatorRequest.Kind.RESYNC_APPROVING_REMOVALS,
              approveRemovals == null ? null : approveRemovals.toString(), json, !dryRun, json ? Watch.NONE : progress,
              (watch, lease) -> inProcess(support.wholeConfig(), db, how, watch, lease));
      progress.finish();
      // a failure answered, not thrown (Fulcrum refused, another command holds the lease): --json prints it as JSON too
      if (answer.exitCode() != ExitCode.OK && answer.out().isEmpty() && !answer.err().isBlank()) {
        return support.failed(answer.err().strip(), answer.exitCode());
      }
      return answer.printTo(support.out(), support.err());
    });
  }

  /** With no daemon running: the resync here, with the whole config ({@code fulcrum.*} too), which the daemon's way needs none of. */
  private OperatorRequest.Answer inProcess(BridgeConfig config, Database db, OperatorActions.Resyncing how, Watch watch,
      CommandChannel.Fences lease) {
    if (config.fulcrum().embedded()) {
      return new OperatorRequest.Answer(ExitCode.FULCRUM, "", "fulcrum.base_url is 'embedded' (in " + support.configFile()
          + "): that emulator only exists inside a running `fulcrum-scim serve`, and none runs on this database. "
          + "Start `fulcrum-scim serve` and run this again (the daemon carries it out), or point fulcrum.base_url at Fulcrum"
          + System.lineSeparator());
    }
    Clock clock = Clock.systemUTC();
    // counted in the call budget the daemons share: a resync here spends the same hour's calls
    FulcrumCallLog calls = new FulcrumCallLog(db, DatabaseClock.of(db, clock), config.fulcrum().callsPerHour());
    // writes only while this command's writer lease is live, as the daemon's are
    try (HttpFulcrumClient client = HttpFulcrumClient.create(config.fulcrum(), config.fulcrum().baseUrl(),
        new SimpleMeterRegistry(), BeforeSend.writesFencedBy(lease.fence(), calls))) {
      Resync resync = new Resync(client, db, ReconcileSettings.from(config), clock, Sleeper.REAL);
      // claims too: a daemon that took the lease over meanwhile is applying rows this one must not take
      ReconcileWiring path = ReconcileWiring.configured(config, client, db, clock, lease.claims(), kind -> {});
      lease.whenLost(resync::commandLostTheLease);
      try {
        OperatorActions actions = OperatorActions.withoutDaemon(config, db, clock);
        OperatorActions.Fulcrum fulcrum = new OperatorActions.Fulcrum(resync, path, config.fulcrum().baseUrl());
        return approveRemovals == null ? actions.resync(fulcrum, how, json, watch)
            : actions.resyncApprovingRemovals(fulcrum, approveRemovals, json, watch);
      } finally {
        path.loop().close();
      }
    }
  }
}
