package com.fulcrumscim.resync;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.reconcile.Pause;
import com.fulcrumscim.reconcile.ReconcileLoop;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.reconcile.Reconciler;
import com.fulcrumscim.reconcile.RemovalGuard;
import com.fulcrumscim.reconcile.RetryPolicy;
import java.time.Clock;

/**
 * The reconciler path resync applies through: keys are enqueued on {@code queue} and reconciled by
 * {@code loop}, whose {@code reconciler} resync tells to forget its cached copy of Fulcrum first.
 * The daemon passes its own; the command line builds one on the same database.
 */
public record ReconcilePath(WorkQueue queue, ReconcileLoop loop, Reconciler reconciler) {

  /**
   * The reconciler and loop as config.yml sets them up, for the daemon and the command line alike;
   * {@code outcomes} hears every finished reconcile. The caller closes {@link #loop()}.
   */
  public static ReconcilePath configured(BridgeConfig config, FulcrumClient client, Database db, Clock clock,
      ReconcileLoop.Listener outcomes) {
    WorkQueue queue = new WorkQueue(db, clock);
    RemovalGuard guard = new RemovalGuard(db, clock, config.guard().massRemovalPercent(), config.guard().massRemovalMinimum());
    Reconciler reconciler = new Reconciler(client, db, queue, guard, ReconcileSettings.from(config), clock);
    ReconcileLoop loop = new ReconcileLoop(queue, reconciler, new Pause(db), RetryPolicy.withBudget(config.reconcile().retryBudget()),
        config.reconcile().batchSize(), config.reconcile().parallelism(), clock, outcomes);
    return new ReconcilePath(queue, loop, reconciler);
  }
}
