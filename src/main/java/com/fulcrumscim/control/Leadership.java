package com.fulcrumscim.control;

import com.fulcrumscim.fulcrum.BeforeSend;
import com.fulcrumscim.fulcrum.FulcrumException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * Whether this node leads (holds the writer lease and has taken over its work) and whether it may
 * write to Fulcrum right now. Writing is fenced as soon as the last successful renewal is older
 * than half the lease's life: that renewal was sent at or before the moment the database extended
 * the lease, so by then the lease still has at least half its life left, and a node that stalled
 * (GC pause, lost network) stops writing well before another can take over.
 */
public final class Leadership implements BeforeSend {
  private final long fenceAfterNanos;
  private final LongSupplier nanoTime;
  private volatile boolean leading;
  private volatile boolean renewedOnce;
  private volatile long renewedAt;
  private final List<Runnable> whenLeading = new CopyOnWriteArrayList<>();

  public Leadership(Duration ttl) {
    this(ttl, System::nanoTime);
  }

  /** {@code nanoTime}: a monotonic clock (tests step it). */
  public Leadership(Duration ttl, LongSupplier nanoTime) {
    this.fenceAfterNanos = ttl.dividedBy(2).toNanos();
    this.nanoTime = nanoTime;
  }

  /** A renewal that started at {@code startedAt} (the monotonic clock, read before it was sent) succeeded. */
  void renewed(long startedAt) {
    renewedAt = startedAt;
    renewedOnce = true;
  }

  /** This node has taken over (rows rescued, budget loaded): it leads from now on. */
  void began() {
    leading = true;
    whenLeading.forEach(Runnable::run);
  }

  /**
   * Runs {@code action} each time this node begins to lead, once it may write (the reconciler's
   * first cycle: triggered any earlier, it would find the node not leading yet and claim nothing).
   */
  public void whenLeading(Runnable action) {
    whenLeading.add(action);
  }

  /** Another holder has the lease: this node is a standby again. */
  void ended() {
    leading = false;
    renewedOnce = false;
  }

  /** Whether this node holds the lease and has taken over (it may still be fenced for a moment). */
  public boolean leading() {
    return leading;
  }

  /** Leading, and renewed within the last half of the lease's life. */
  public boolean mayWrite() {
    return leading && renewedOnce && nanoTime.getAsLong() - renewedAt < fenceAfterNanos;
  }

  /** Refuses a Fulcrum call unless {@link #mayWrite()}: nothing leaves a fenced or standby node. */
  @Override
  public void check(String endpoint) {
    if (!mayWrite()) {
      throw new FulcrumException.Unavailable(endpoint, leading
          ? "not sent: the writer lease was not renewed for " + (nanoTime.getAsLong() - renewedAt) / 1_000_000
              + " ms (fenced until it is, so it cannot write beside a node that takes over)"
          : "not sent: this node does not hold the writer lease", null);
    }
  }
}
