package com.fulcrumscim.control;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link WriterLease}: tries to take it, then renews it, every fifth of its lifetime on
 * its own thread. {@code onHeld} runs once, the first time it is held (the daemon starts applying
 * then); while another holder has it the daemon waits and says so once. {@code onLost} runs if it
 * is lost after that (this process stalled past the lease's life and another writer took it): the
 * daemon stops writing rather than write beside that holder.
 */
public final class LeaseKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
  static final Duration EVERY = WriterLease.TTL.dividedBy(5);

  private final WriterLease lease;
  private final Runnable onHeld;
  private final Runnable onLost;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "writer-lease");
    t.setDaemon(true);
    return t;
  });
  private boolean everHeld;
  private boolean held;
  private boolean saidWaiting;

  public LeaseKeeper(WriterLease lease, Runnable onHeld, Runnable onLost) {
    this.lease = lease;
    this.onHeld = onHeld;
    this.onLost = onLost;
  }

  /** Starts keeping the lease on the keeper's thread. */
  public void start() {
    thread.scheduleWithFixedDelay(this::keep, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void keep() {
    try {
      boolean now = lease.tryHold();
      if (now && !everHeld) {
        everHeld = true;
        if (saidWaiting) {
          log.info("the writer lease is free again: applying changes to Fulcrum now");
        }
        onHeld.run();
      } else if (!now && held) {
        log.error("LOST THE FULCRUM WRITER LEASE to {}: this process stalled longer than {}. It stops writing to Fulcrum "
            + "(SCIM changes are still accepted and stored); restart the daemon once that holder is done",
            lease.current().map(WriterLease.Holder::describe).orElse("another process"), WriterLease.TTL);
        held = false;
        thread.shutdown();
        onLost.run();
        return;
      } else if (!now && !everHeld && !saidWaiting) {
        saidWaiting = true;
        log.warn("{} holds the Fulcrum writer lease: SCIM changes are accepted and stored, but nothing is applied "
            + "to Fulcrum until it ends", lease.current().map(WriterLease.Holder::describe).orElse("another process"));
      }
      held = now;
    } catch (RuntimeException e) {
      log.warn("could not renew the writer lease; trying again in {}: {}", EVERY, e.toString());
    }
  }

  /** Stops trying and renewing; the lease stays until {@link #close()} or its expiry. */
  public void halt() {
    thread.shutdown();
    try {
      thread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops renewing and gives the lease up, so the next writer need not wait for it to expire. */
  @Override
  public void close() {
    halt();
    lease.release();
  }
}
