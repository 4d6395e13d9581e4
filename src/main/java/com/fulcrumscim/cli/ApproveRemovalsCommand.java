package com.fulcrumscim.cli;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.reconcile.RemovalGuard;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code approve-removals}: lets every removal the mass-removal guard holds go ahead once. Works on
 * the database directly, so it is safe while the daemon runs (SQLite serializes the writers).
 */
@Command(name = "approve-removals", mixinStandardHelpOptions = true,
    description = "Approve the member removals held by the mass-removal guard; each goes ahead once.")
public final class ApproveRemovalsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", defaultValue = "${env:FULCRUM_SCIM_CONFIG:-config.yml}", description = "config file (default: ${DEFAULT-VALUE})")
  Path config;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    BridgeConfig cfg;
    try {
      cfg = ConfigLoader.fromSystemEnvironment().load(config);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 2;
    }
    try (Database db = Database.open(cfg.storage().path())) {
      Clock clock = Clock.systemUTC();
      RemovalGuard guard = new RemovalGuard(db, clock, cfg.guard().massRemovalPercent(), cfg.guard().massRemovalMinimum());
      int approved = guard.approveHeld(new WorkQueue(db, clock));
      out.println(approved == 0 ? "No removals are held." : "Approved " + approved + " held removal"
          + (approved == 1 ? "" : "s") + "; the reconciler applies them in its next cycle.");
      return 0;
    }
  }
}
