package com.fulcrumscim.resync;

import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.reconcile.ReconcileLoop;
import com.fulcrumscim.reconcile.Reconciler;

/**
 * The reconciler path resync applies through: keys are enqueued on {@code queue} and reconciled by
 * {@code loop}, whose {@code reconciler} resync tells to forget its cached copy of Fulcrum first.
 * The daemon passes its own; the command line builds a fresh one on the same database.
 */
public record ReconcilePath(WorkQueue queue, ReconcileLoop loop, Reconciler reconciler) {}
