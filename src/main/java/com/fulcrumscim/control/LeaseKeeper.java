package com.fulcrumscim.control;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link WriterLease} on its own thread: tries to take it, then renews it, every third of
 * its lifetime. {@code onHeld} runs each time this process takes it (the daemon rescues the dead
 * holder's work and starts applying); {@link Leadership} then says it leads. While another holder
 * has it, this process is a standby that keeps trying, and says so once. {@code onLost} runs when
 * it is lost after being held (this process stalled past the lease's life and another took it):
 * the daemon stops applying and becomes a standby again. Renewal times feed the fence (see
 * {@link Leadership}).
 */
public final class LeaseKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
  /** The renew interval of a lease of the default lifetime. */
  static final Duration EVERY = every(WriterLease.TTL);

  private final WriterLease lease;
  private final Leadership leadership;
  private final Runnable onHeld;
  private final Runnable onLost;
  private final Duration every;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "writer-lease");
    t.setDaemon(true);
    return t;
  });
  private boolean held;
  private boolean saidWaiting;

  /** For an operator command holding the lease in-process: nothing to start or stop. */
  public LeaseKeeper(WriterLease lease, Runnable onHeld, Runnable onLost) {
    this(lease, new Leadership(lease.ttl()), onHeld, onLost);
  }

  public LeaseKeeper(WriterLease lease, Leadership leadership, Runnable onHeld, Runnable onLost) {
    this.lease = lease;
    this.leadership = leadership;
    this.onHeld = onHeld;
    this.onLost = onLost;
    this.every = every(lease.ttl());
  }

  /** How often a lease of life {@code ttl} is renewed (and a standby tries to take it). */
  public static Duration every(Duration ttl) {
    return ttl.dividedBy(3);
  }

  /** Starts keeping the lease on the keeper's thread. */
  public void start() {
    thread.scheduleWithFixedDelay(this::keep, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void keep() {
    try {
      long startedAt = System.nanoTime();
      boolean now = lease.tryHold();
      if (now) {
        leadership.renewed(startedAt);
        if (!held) {
          if (saidWaiting) {
            log.info("took the Fulcrum writer lease: this node applies changes to Fulcrum now");
          }
          saidWaiting = false;
          onHeld.run(); // when it fails, the next renewal runs it again before this node leads
          held = true;
          leadership.began();
        }
      } else if (held) {
        log.error("LOST THE FULCRUM WRITER LEASE to {}: this process stalled longer than {}. It stops writing to Fulcrum "
            + "and waits as a standby (SCIM changes are still accepted and stored)",
            lease.current().map(WriterLease.Holder::describe).orElse("another process"), lease.ttl());
        held = false;
        leadership.ended();
        onLost.run();
      } else if (!saidWaiting) {
        saidWaiting = true;
        log.warn("{} holds the Fulcrum writer lease: this node accepts and stores SCIM changes; it applies nothing "
            + "to Fulcrum until it takes the lease (tried every {} ms)",
            lease.current().map(WriterLease.Holder::describe).orElse("another process"), every.toMillis());
      }
    } catch (RuntimeException e) {
      log.warn("could not renew the writer lease; trying again in {} ms: {}", every.toMillis(), e.toString());
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
    leadership.ended();
    lease.release();
  }
}
