package com.fulcrumscim.reconcile;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.ClaimFence;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.journal.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one place that builds a reconciler and the loop that drives it, for the daemon, the
 * in-process command line and the tests alike: keys are enqueued on {@link #queue()} and
 * reconciled by {@link #loop()}; {@link #readSide()} observes and plans over the same cached lists;
 * {@link #guard()} is the mass-removal guard its removals pass.
 * Its queue claims only while {@code claims} holds (the writer lease of the process that builds
 * it, the daemon's or an operator command's): the loop is what claims, and a claim also hands back
 * the RUNNING rows its queue does not hold, which from a process whose lease another took over
 * would be the leader's rows under way.
 * The caller closes {@link #loop()}.
 */
public record ReconcileWiring(WorkQueue queue, ReconcileLoop loop, Reconciler reconciler, RemovalGuard guard) {

  /** Everything config.yml decides about reconciling. */
  public record Knobs(ReconcileSettings settings, int guardPercent, int guardMinimum, Duration guardWindow,
      RetryPolicy retry, int batchSize, int parallelism) {

    public static Knobs from(BridgeConfig config) {
      return new Knobs(ReconcileSettings.from(config), config.guard().massRemovalPercent(),
          config.guard().massRemovalMinimum(), config.guard().window(), RetryPolicy.withBudget(config.reconcile().retryBudget()),
          config.reconcile().batchSize(), config.reconcile().parallelism());
    }
  }

  /** As config.yml sets it up; {@code outcomes} hears every finished reconcile (metrics). */
  public static ReconcileWiring configured(BridgeConfig config, FulcrumClient client, Database db, Clock clock,
      ClaimFence claims, ReconcileLoop.Listener outcomes) {
    return build(Knobs.from(config), client, db, clock, claims, outcomes, Optional.empty());
  }

  /**
   * A daemon's: where it may be one of several nodes, a pause it makes names {@code node} (as the
   * writer lease shows it), whose token the other nodes' /healthz and status then show refused;
   * empty where no other node can run (one SQLite file), so the pause names none.
   */
  public static ReconcileWiring onNode(Optional<String> node, BridgeConfig config, FulcrumClient client, Database db,
      Clock clock, ClaimFence claims, ReconcileLoop.Listener outcomes) {
    return build(Knobs.from(config), client, db, clock, claims, outcomes, node);
  }

  public static ReconcileWiring build(Knobs knobs, FulcrumClient client, Database db, Clock clock, ClaimFence claims,
      ReconcileLoop.Listener outcomes) {
    return build(knobs, client, db, clock, claims, outcomes, Optional.empty());
  }

  private static ReconcileWiring build(Knobs knobs, FulcrumClient client, Database db, Clock clock, ClaimFence claims,
      ReconcileLoop.Listener outcomes, Optional<String> node) {
    WorkQueue queue = new WorkQueue(db, clock, claims);
    RemovalGuard guard = new RemovalGuard(db, clock, knobs.guardPercent(), knobs.guardMinimum(), knobs.guardWindow());
    Reconciler reconciler = new Reconciler(client, db, guard, knobs.settings(), clock);
    ReconcileLoop loop = new ReconcileLoop(queue, reconciler, new Pause(db, queue, clock, node), knobs.retry(), knobs.batchSize(),
        knobs.parallelism(), clock, outcomes);
    return new ReconcileWiring(queue, loop, reconciler, guard);
  }

  public ReadSide readSide() {
    return reconciler.readSide();
  }
}
