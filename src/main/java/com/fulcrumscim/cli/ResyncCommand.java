package com.fulcrumscim.cli;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.ops.CommandFailure;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.ops.TextTable;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.resync.Drift;
import com.fulcrumscim.resync.Progress;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.resync.ReportJson;
import com.fulcrumscim.resync.Resync;
import com.fulcrumscim.resync.ResyncReport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "resync",
    mixinStandardHelpOptions = true,
    description = {
      "Compare Fulcrum with what Okta wants for the entities the bridge manages and fix the drift: members",
      "missing or edited in Fulcrum, managed groups renamed, deleted or with members edited by hand, stale links.",
      "Prints the plan as a table; without --dry-run applies it through the reconciler and checks again.",
      "Unmanaged members whose email a managed user wants are reported, never touched. Safe while the daemon",
      "runs: keys the daemon is reconciling at that moment are skipped and listed."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no drift remains",
      "1:drift remains (or a dry run found drift), or no database at storage.path",
      "2:invalid config or command line",
      "4:Fulcrum unreachable, or it refuses the API token"
    })
public final class ResyncCommand implements Callable<Integer> {
  /** More keys than this get a progress line even when stderr is not a terminal. */
  static final int PROGRESS_ABOVE = 50;

  @Mixin CommandSupport support;

  @Option(names = "--dry-run", description = "Print the plan and change nothing (four read calls to Fulcrum).")
  boolean dryRun;

  @Option(names = "--json", description = "Print the report as JSON instead of tables.")
  boolean json;

  @Override
  public Integer call() {
    return support.withDatabase((config, db) -> {
      if (config.fulcrum().embedded()) {
        throw new CommandFailure(ExitCode.CONFIG, "fulcrum.base_url is 'embedded': that emulator lives inside the daemon, "
            + "so there is no Fulcrum for this command to read. Point fulcrum.base_url at Fulcrum (or at `fulcrum-scim emulator`)");
      }
      Clock clock = Clock.systemUTC();
      try (HttpFulcrumClient client = HttpFulcrumClient.create(config.fulcrum(), config.fulcrum().baseUrl(), new SimpleMeterRegistry())) {
        Resync resync = new Resync(client, db, ReconcileSettings.from(config), clock, Sleeper.REAL);
        ResyncReport report;
        if (dryRun) {
          report = resync.dryRun();
        } else {
          ReconcileWiring path = ReconcileWiring.configured(config, client, db, clock, kind -> {});
          try {
            report = resync.apply(path, json ? Progress.NONE : new Shown(support.out(), support.err()));
          } finally {
            path.loop().close();
          }
        }
        if (json) {
          support.out().println(new ReportJson().write(report, true));
        } else if (dryRun) {
          printPlan(report, support.out());
        } else {
          printOutcome(report, support.out());
        }
        return report.driftRemains() ? ExitCode.FAILED : ExitCode.OK;
      } catch (FulcrumException e) {
        throw new CommandFailure(ExitCode.FULCRUM, unreachable(config.fulcrum(), e));
      }
    });
  }

  private static String unreachable(BridgeConfig.Fulcrum cfg, FulcrumException e) {
    String why = e instanceof FulcrumException.Unauthorized ? "refuses the API token: set fulcrum.api_token to a valid Owner's token"
        : e instanceof FulcrumException.Forbidden ? "refuses this token's user: use an Owner's API token"
        : "cannot be read";
    return "Fulcrum at " + cfg.baseUrl() + " " + why + " (" + e.getMessage() + "); nothing was changed";
  }

  static void printPlan(ResyncReport r, PrintWriter out) {
    ResyncReport.Totals t = r.totals();
    if (r.plan().isEmpty()) {
      out.println("No drift: Fulcrum matches what Okta wants for all " + t.checked() + " managed users and groups.");
      return;
    }
    table(r.plan(), out);
    out.println();
    out.println("Checked " + t.checked() + " managed users and groups: " + t.drifting() + " drifting; " + t.toFix()
        + " for the reconciler to fix, " + t.blocked() + " blocked, " + t.collisions()
        + " colliding with unmanaged members (reported, never touched).");
  }

  private static void printOutcome(ResyncReport r, PrintWriter out) {
    ResyncReport.Totals t = r.totals();
    if (r.plan().isEmpty()) {
      printPlan(r, out);
      return;
    }
    out.println();
    out.println("Applied through the reconciler: " + t.fixed() + " of " + t.drifting() + " drifting fixed, "
        + t.remaining() + " still drifting.");
    r.skipped().forEach(s -> out.println("Skipped " + s));
    if (r.stoppedBecause() != null) {
      out.println("Stopped early: " + r.stoppedBecause());
    }
    if (!r.remaining().isEmpty()) {
      out.println();
      out.println("Drift remaining:");
      table(r.remaining(), out);
    }
  }

  private static void table(List<Drift> rows, PrintWriter out) {
    TextTable table = new TextTable("ENTITY", "FIELD", "FULCRUM HAS", "OKTA WANTS", "ACTION");
    rows.forEach(d -> table.row(d.entity(), d.field(), d.fulcrumHas(), d.oktaWants(), d.action()));
    table.print(out, "");
  }

  /** Prints the plan before applying, then a progress line on stderr when the work is long or someone watches. */
  private static final class Shown implements Progress {
    private final PrintWriter out;
    private final PrintWriter err;
    private boolean drawing;
    private boolean drawn;

    Shown(PrintWriter out, PrintWriter err) {
      this.out = out;
      this.err = err;
    }

    @Override
    public void planned(ResyncReport plan) {
      printPlan(plan, out);
      out.flush();
      drawing = System.console() != null || plan.totals().toFix() > PROGRESS_ABOVE;
    }

    @Override
    public void update(String phase, int done, int total) {
      if (drawing) {
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        err.print("\rapplying " + phase + " [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total);
        err.flush();
        drawn = true;
      }
    }

    @Override
    public void finish() {
      if (drawn) {
        err.println();
        err.flush();
      }
    }
  }
}
