package com.fulcrumscim.control;

import com.fulcrumscim.config.DurationText;
import com.fulcrumscim.db.DatabaseUnavailableException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link WriterLease} on its own thread: tries to take it, then renews it, every third of
 * its lifetime. {@code onHeld} runs each time this process takes it (the daemon rescues the dead
 * holder's work and starts applying); {@link Leadership} then says it leads. While another holder
 * has it, this process is a standby that keeps trying, and says so once. {@code onLost} runs when
 * it is lost after being held (this process stalled past the lease's life and another took it):
 * the daemon stops applying and becomes a standby again. A take-over that fails gives the lease
 * up and sits out one lease life before trying again, so a healthy node takes it meanwhile. Renewal
 * times feed the fence (see {@link Leadership}). A daemon starts keeping it ({@link #hold()}) as
 * soon as its database is open, before its slower steps, and takes over only once everything that
 * {@code onHeld} starts is built ({@link #start()}): an operator command run meanwhile finds a
 * daemon and asks it, rather than working in-process while the daemon finishes starting. A node
 * that must not lead ({@code mustNotLead}: a schema newer than it knows) refuses a take-over, and
 * a leader that finds it so at a renewal gives the lease up as a refused take-over does.
 */
public final class LeaseKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
  private static final MustNotLead ALWAYS_MAY_LEAD = bound -> Optional.empty();
  private static final Duration STANDBY_SAYS_UNREACHABLE_EVERY = Duration.ofMinutes(1);

  /** Why this node must not lead now, if it must not. */
  @FunctionalInterface
  public interface MustNotLead {
    /**
     * Found within {@code bound} (the lease's own, {@link WriterLease#bound()}), failing rather than
     * waiting longer: the look runs on the keeper's thread between renewals, and a slow one would
     * delay the next renewal past the lease's life.
     */
    Optional<String> within(Duration bound);

    /**
     * Whether this node, finding the lease free, leaves it to another node for one lease life first
     * (its own Fulcrum API token is refused): a standby that could apply takes it meanwhile, and
     * when none does (every node's token refused, or this node alone) this one leads as before.
     */
    default boolean yields() {
      return false;
    }

    /**
     * Why this node, leading, gives the lease to another node now, if it does; asked after each
     * renewal, within {@code bound} as {@link #within} is. Unlike a refusal it leaves the lease live
     * for half its life ({@link WriterLease#releaseWithMargin()}): a call of the cycle under way may
     * have passed the fence just before (review-s11f F5).
     */
    default Optional<String> handsOver(Duration bound) {
      return Optional.empty();
    }
  }

  private final WriterLease lease;
  private final Leadership leadership;
  private final Runnable onHeld;
  private final Runnable onLost;
  /** Why this node must not lead now, if it must not: asked before each take-over and after each renewal while leading. */
  private final MustNotLead mustNotLead;
  private final Duration every;
  private final LongSupplier nanoTime;
  /** An operator command's keeper ({@link #heldByCommand}): it never takes the lease, and says nothing a daemon would. */
  private final boolean command;
  private final ScheduledExecutorService thread = keeperThread();
  private boolean held;
  /** Whether holding the lease, the keeper takes over too: cleared by {@link #hold()} until {@link #start()}. */
  private volatile boolean mayTakeOver = true;
  private boolean keeping;
  private boolean saidWaiting;
  /** When the last successful renewal was sent (monotonic clock); meaningful while {@code held}. */
  private long renewedAt;
  /** After a failed take-over: no attempt to take the lease before {@code retryAt} (monotonic clock). */
  private boolean backingOff;
  private long retryAt;
  /** Whether this standby already left the lease, free, to the others once since another held it ({@link MustNotLead#yields()}). */
  private boolean yielded;
  /** Why the last renewal or attempt failed to reach the database; null once one reached it. */
  private String unreachable;
  /** Whether that failure was the database unavailable (a lost or refused connection), not a failed statement. */
  private boolean unreachableOutage;
  /** When a standby last said it could not reach the database (monotonic clock). */
  private long saidUnreachableAt;
  private boolean saidUnreachable;

  public LeaseKeeper(WriterLease lease, Leadership leadership, Runnable onHeld, Runnable onLost) {
    this(lease, leadership, onHeld, onLost, ALWAYS_MAY_LEAD);
  }

  public LeaseKeeper(WriterLease lease, Leadership leadership, Runnable onHeld, Runnable onLost,
      MustNotLead mustNotLead) {
    this(lease, leadership, onHeld, onLost, mustNotLead, System::nanoTime);
  }

  /** {@code nanoTime}: the monotonic clock renewals are timed by (tests step it, with {@link #keep()}). */
  LeaseKeeper(WriterLease lease, Leadership leadership, Runnable onHeld, Runnable onLost, LongSupplier nanoTime) {
    this(lease, leadership, onHeld, onLost, ALWAYS_MAY_LEAD, nanoTime);
  }

  LeaseKeeper(WriterLease lease, Leadership leadership, Runnable onHeld, Runnable onLost,
      MustNotLead mustNotLead, LongSupplier nanoTime) {
    this(lease, leadership, onHeld, onLost, mustNotLead, nanoTime, false);
  }

  private LeaseKeeper(WriterLease lease, Leadership leadership, Runnable onHeld, Runnable onLost,
      MustNotLead mustNotLead, LongSupplier nanoTime, boolean command) {
    this.command = command;
    this.lease = lease;
    this.leadership = leadership;
    this.onHeld = onHeld;
    this.onLost = onLost;
    this.mustNotLead = mustNotLead;
    this.every = every(lease.ttl());
    this.nanoTime = nanoTime;
  }

  /**
   * Keeps a lease an operator command took ({@link WriterLease#tryHold()}) at {@code takenAt} (on
   * {@code nanoTime}): held from then, so a lease lost before the first renewal is heard too
   * ({@code onLost}), once it went unrenewed for its life or another holder has it. Lost, it is not
   * taken again: the command has no take-over of its own to make (see {@link CommandLease}).
   */
  static LeaseKeeper heldByCommand(WriterLease lease, Leadership leadership, Runnable onLost, long takenAt,
      LongSupplier nanoTime) {
    LeaseKeeper keeper = new LeaseKeeper(lease, leadership, () -> {}, onLost, ALWAYS_MAY_LEAD, nanoTime, true);
    synchronized (keeper) {
      keeper.held = true;
      keeper.renewedAt = takenAt;
    }
    leadership.renewed(takenAt);
    leadership.began();
    return keeper;
  }

  /** How often a lease of life {@code ttl} is renewed (and a standby tries to take it). */
  public static Duration every(Duration ttl) {
    return ttl.dividedBy(3);
  }

  /**
   * Takes the lease now if it is free, on the caller's thread, and keeps it (or keeps trying) from
   * then on, without taking over until {@link #start()}.
   */
  public synchronized void hold() {
    mayTakeOver = false;
    keep();
    thread.schedule(this::keepOnTime, every.toMillis(), TimeUnit.MILLISECONDS);
    keeping = true;
  }

  /** Keeps the lease on the keeper's thread and takes over whenever it holds it: at once, if {@link #hold()} took it. */
  public synchronized void start() {
    mayTakeOver = true;
    if (keeping) {
      thread.execute(this::keep);
    } else {
      thread.execute(this::keepOnTime);
      keeping = true;
    }
  }

  /**
   * One scheduled keep, and the next one {@link #every} after this one began, not after it ended
   * (review-s6b F2): a keep may take the renewal's bound and the look's, and a next renewal
   * scheduled a third of the lease after that would come past the half-life point where
   * {@link Leadership} stops the leader's writes. A keep that took longer than that is followed at
   * once, never by a burst of the runs a stall missed.
   */
  private void keepOnTime() {
    long began = nanoTime.getAsLong();
    keep();
    long left = every.toNanos() - (nanoTime.getAsLong() - began);
    try {
      thread.schedule(this::keepOnTime, Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException halted) {
      // halt() stopped the keeper meanwhile: nothing more to keep
    }
  }

  /**
   * One renewal (or attempt to take the lease). A holder that has not renewed for a whole lease
   * life may have lost the lease to another node that then died: the row it renews may be a new
   * term, with that node's claimed work still RUNNING. So it steps down first and takes over anew
   * (rescuing that work), whether the gap came from a stall or from the database being unreachable.
   */
  synchronized void keep() {
    try {
      keepOnce();
    } catch (RuntimeException | Error e) {
      // a scheduled run that throws is never run again: a standby would never take over, and a
      // leader would never step down (it would go on reporting itself the leader, behind the fence)
      log.error("keeping the writer lease failed; trying again in {} ms", every.toMillis(), e);
      if (held) {
        stepDown("keeping it failed (" + e + ")");
      }
    }
  }

  private void keepOnce() {
    long startedAt = nanoTime.getAsLong();
    if (held && startedAt - renewedAt >= lease.ttl().toNanos()) {
      // a database restart or failover is the usual cause, and nothing for the clocks: say it first (review-s11b F-lost-doc)
      stepDown("it could not renew the lease for " + (startedAt - renewedAt) / 1_000_000 + " ms"
          + (unreachable == null ? "" : unreachableOutage
              // not always a restart: a refused login or a full pool is unavailable too, and "last" says which (review-s11g F1)
              ? " because the database could not be reached (last: " + unreachable + "), not a stall nor a clock step"
              : " because its renewals failed at the database (last: " + unreachable + ")")
          + ", longer than its life of " + DurationText.of(lease.ttl()) + (lease.shared() ? ", so another node may have led meanwhile" : ""));
    }
    if (command && !held) {
      return;
    }
    if (backingOff) {
      if (startedAt - retryAt < 0) {
        return;
      }
      backingOff = false;
    }
    boolean now;
    try {
      if (!held && !command && !yielded && mustNotLead.yields() && lease.current().isEmpty()) {
        yielded = true;
        log.warn("the Fulcrum writer lease is free, but this node's own Fulcrum API token is refused: it leaves the lease"
            + " to another node for {} ms, and takes it (to pause) only if none does", lease.ttl().toMillis());
        backingOff = true;
        retryAt = startedAt + lease.ttl().toNanos();
        return;
      }
      now = lease.tryHold();
    } catch (RuntimeException e) {
      unreachable(e, startedAt);
      return;
    }
    unreachable = null;
    saidUnreachable = false;
    if (now) {
      leadership.renewed(startedAt);
      renewedAt = startedAt;
      if (held) {
        stillMayLead();
      } else if (mayTakeOver) {
        takeOver();
      }
    } else if (held) {
      stepDown("another holder has it: " + holder());
    } else {
      yielded = false; // another node holds it: the next vacancy is left to the others again
      if (!saidWaiting) {
        saidWaiting = true;
        log.warn("{} holds the Fulcrum writer lease: this node accepts and stores SCIM changes; it applies nothing "
            + "to Fulcrum until it takes the lease (tried every {} ms)", holder(), every.toMillis());
      }
    }
  }

  /**
   * A renewal or attempt that could not reach the database. A leader says each one (its lease runs
   * out); a standby, which holds nothing, says what it could not do once, then every minute
   * (review-s11b: every two seconds through a database restart).
   */
  private void unreachable(RuntimeException e, long at) {
    unreachable = e.toString();
    // only a lost or refused connection is an outage: a lock wait or a statement timeout is not (review-s11f F4)
    unreachableOutage = e instanceof DatabaseUnavailableException;
    if (held) {
      log.warn("could not renew the writer lease; trying again in {} ms: {}", every.toMillis(), unreachable);
    } else if (!saidUnreachable || at - saidUnreachableAt >= STANDBY_SAYS_UNREACHABLE_EVERY.toNanos()) {
      saidUnreachable = true;
      saidUnreachableAt = at;
      log.warn("this standby could not {} the writer lease (tried every {} ms, said again each minute while it lasts): {}",
          unreachableOutage ? "reach the database to look at" : "look at", every.toMillis(), unreachable);
    }
  }

  /** Who holds the lease, for the log: only words, so a failed read must not stop the step-down it explains. */
  private String holder() {
    try {
      return lease.current().map(WriterLease.Holder::describe).orElse("another process");
    } catch (RuntimeException e) {
      return "another process (which one could not be read: " + e + ")";
    }
  }

  private void takeOver() {
    try {
      Optional<String> refused = mustNotLead.within(lease.bound());
      if (refused.isPresent()) {
        standAside("could not take over as the writer (" + refused.get() + ")", null);
        return;
      }
      onHeld.run();
    } catch (RuntimeException | Error e) {
      standAside("could not take over as the writer (" + e + ")", e);
      return;
    }
    if (saidWaiting) {
      log.info("took the Fulcrum writer lease: this node applies changes to Fulcrum now");
    }
    saidWaiting = false;
    held = true;
    leadership.began();
  }

  /**
   * A leader asks again at each renewal: a newer release's migration may have committed since it
   * took over (on PostgreSQL a take-over in the midst of one still reads the old schema). A failed
   * look is no reason to stop leading: the renewal just succeeded, and the next one looks again. A
   * slow one gives up within the lease's bound, as the renewal does, so the next renewal still comes
   * within the lease's life.
   */
  private void stillMayLead() {
    Optional<String> refused;
    Optional<String> handsOver = Optional.empty();
    try {
      refused = mustNotLead.within(lease.bound());
      if (refused.isEmpty()) {
        handsOver = mustNotLead.handsOver(lease.bound());
      }
    } catch (RuntimeException e) {
      log.warn("could not check whether this node may still lead; checked again in {} ms: {}", every.toMillis(), e.toString());
      return;
    }
    Optional<String> why = refused.isPresent() ? refused : handsOver;
    if (why.isPresent()) {
      held = false;
      leadership.ended();
      standAside("STOPS WRITING TO FULCRUM: " + why.get(), null, handsOver.isPresent());
    }
  }

  /**
   * Undoes what started, so the next attempt starts from a standby's state, not half a leader's.
   * Then gives the lease up and sits out a lease life: renewed as "ours" at the next run, it would
   * stay with a node that fails the same way every time (its configuration, say) while a healthy
   * one waits. A lease life is three of the other nodes' attempts.
   */
  private void standAside(String why, Throwable failure) {
    standAside(why, failure, false);
  }

  /** {@code withMargin}: the lease stays live for half its life, for this node's calls already past the fence. */
  private void standAside(String why, Throwable failure, boolean withMargin) {
    log.error("{}; this node gives the writer lease up{} and stays a standby, trying again in {} ms", why,
        withMargin ? " (another node may take it in " + lease.ttl().dividedBy(2).toMillis() + " ms)" : "",
        lease.ttl().toMillis(), failure);
    runOnLost();
    if (withMargin) {
      giveUp(lease::releaseWithMargin);
    } else {
      giveUp(lease::release);
    }
    backingOff = true;
    retryAt = nanoTime.getAsLong() + lease.ttl().toNanos();
  }

  private void giveUp(Runnable release) {
    try {
      release.run();
    } catch (RuntimeException e) {
      log.warn("could not give the writer lease up; it expires within {}: {}", lease.ttl(), e.toString());
    }
  }

  private void stepDown(String why) {
    if (command) {
      log.error("LOST THE FULCRUM WRITER LEASE: {}. This command stops writing to Fulcrum", why);
    } else if (!lease.shared()) {
      // review-s12b F5: no other node on one SQLite file; a stalled serve took it again 0.5 s after "waits as a standby"
      log.error("LOST THE FULCRUM WRITER LEASE: {}. This serve stops writing to Fulcrum and takes the lease again as soon"
          + " as it is free (no other serve shares this SQLite file; SCIM changes are still accepted and stored)", why);
    } else {
      log.error("LOST THE FULCRUM WRITER LEASE: {}. This node stops writing to Fulcrum and waits as a standby "
          + "(SCIM changes are still accepted and stored)", why);
    }
    held = false;
    leadership.ended();
    runOnLost();
  }

  private void runOnLost() {
    try {
      onLost.run();
    } catch (RuntimeException e) {
      log.warn("stopping this node's writing after the lease: {}", e.toString());
    }
  }

  /**
   * The keeper's one thread. A keep scheduled but not begun is dropped at {@link #halt()}: each keep
   * schedules the next as a delayed task ({@link #keepOnTime}), which an executor's shutdown would
   * otherwise still run when due, a renewal after the halt that the halt waited up to a third of a
   * lease for (every stop of a daemon or command took that much longer).
   */
  private static ScheduledExecutorService keeperThread() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "writer-lease");
      thread.setDaemon(true);
      return thread;
    });
    t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return t;
  }

  /** Stops trying and renewing; the lease stays until {@link #close()} or its expiry. */
  public void halt() {
    halt(Duration.ofSeconds(10));
  }

  /** {@link #halt()}, waiting at most {@code within} for a keep under way (a stop's bound). */
  public void halt(Duration within) {
    thread.shutdown();
    try {
      thread.awaitTermination(within.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops renewing and leads no more, but leaves the lease to expire within its life, as a process
   * killed outright does: a stop whose reconcile cycle did not end may still have a Fulcrum call on
   * its way, and a lease given up now would let another node take over before that call lands.
   */
  public void leave(Duration within) {
    halt(within);
    leadership.ended();
  }

  /**
   * Stops renewing and gives the lease up, so the next writer need not wait for it to expire. A
   * release the database refuses is logged, not thrown (review-s6b N1): the lease expires within
   * its life all the same, and thrown from a command's try-with-resources it would take the place
   * of the answer the command's finished work produced.
   */
  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  /** {@link #close()}, waiting at most {@code within} for a keep under way. */
  public void close(Duration within) {
    leave(within);
    giveUp(lease::release);
  }
}
