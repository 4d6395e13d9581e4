package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.DatabaseUnavailableException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link ReconcileLoop#runOnce()} on a Quartz scheduler (in memory, one job that never
 * overlaps itself) every {@code interval}, and at once after {@link #trigger()}, repeating it while
 * due work remains. Triggers that arrive while a cycle is queued fold into it.
 */
public final class ReconcilerService {
  private static final Logger log = LoggerFactory.getLogger(ReconcilerService.class);
  private static final JobKey JOB = JobKey.jobKey("reconcile");

  private final ReconcileLoop loop;
  private final Duration interval;
  private final BooleanSupplier mayRun;
  private final AtomicBoolean triggerPending = new AtomicBoolean();
  /** Held while a tick runs its cycles: a stop waits on it for the cycle in flight, within its bound. */
  private final ReentrantLock ticking = new ReentrantLock();
  private Scheduler scheduler;

  public ReconcilerService(ReconcileLoop loop, Duration interval) {
    this(loop, interval, () -> true);
  }

  /**
   * {@code mayRun}: whether cycles may claim work now; false on a node that does not lead (several
   * nodes on one database), whose ticks then do nothing.
   */
  public ReconcilerService(ReconcileLoop loop, Duration interval, BooleanSupplier mayRun) {
    this.loop = loop;
    this.interval = interval;
    this.mayRun = mayRun;
  }

  /** Quartz builds jobs; ours closes over this service instead of a static. */
  @DisallowConcurrentExecution
  private static final class TickJob implements Job {
    private final ReconcilerService service;

    TickJob(ReconcilerService service) {
      this.service = service;
    }

    @Override
    public void execute(JobExecutionContext context) {
      service.tick();
    }
  }

  /**
   * Cycles back to back while they find due work: a backlog larger than one batch drains at the
   * budget's pace instead of one batch per interval. It ends at a cycle that claims nothing, or
   * hands rows back (stopping, paused, circuit open), which the interval then retries.
   */
  private void tick() {
    ticking.lock();
    try {
      cycles();
    } finally {
      ticking.unlock();
    }
  }

  private void cycles() {
    triggerPending.set(false);
    try {
      ReconcileLoop.Cycle cycle;
      do {
        if (!mayRun.getAsBoolean()) {
          return;
        }
        cycle = loop.runOnce();
        if (cycle.claimed() > 0) {
          log.debug("reconcile cycle: {}", cycle);
        }
      } while (cycle.claimed() > 0 && cycle.released() == 0);
    } catch (DatabaseUnavailableException e) {
      // a database restart or failover, or no free connection: the cause in one line, not a stack trace each tick (review-s11b)
      log.error("reconcile cycle failed, the database is unavailable: {}; the next tick tries again", e.getMessage());
    } catch (RuntimeException e) {
      log.error("reconcile cycle failed; the next tick tries again", e);
    }
  }

  public synchronized void start() {
    try {
      scheduler = OneWorkerScheduler.create("reconciler-" + System.identityHashCode(this));
      scheduler.setJobFactory((bundle, s) -> new TickJob(this));
      JobDetail job = JobBuilder.newJob(TickJob.class).withIdentity(JOB).storeDurably().build();
      Trigger every = TriggerBuilder.newTrigger().startNow()
          .withSchedule(SimpleScheduleBuilder.simpleSchedule()
              .withIntervalInMilliseconds(interval.toMillis()).repeatForever()
              .withMisfireHandlingInstructionNextWithRemainingCount())
          .build();
      scheduler.scheduleJob(job, every);
      scheduler.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot start the reconcile scheduler: " + e.getMessage(), e);
    }
  }

  /** Runs a cycle as soon as the current one (if any) ends: call after intake commits. */
  public void trigger() {
    Scheduler s = scheduler;
    if (s == null || !triggerPending.compareAndSet(false, true)) {
      return;
    }
    try {
      s.triggerJob(JOB);
    } catch (SchedulerException e) {
      triggerPending.set(false);
      log.warn("could not trigger a reconcile cycle; the next tick runs it: {}", e.getMessage());
    }
  }

  /**
   * Starts no cycle from now on, and the cycle in flight claims nothing more: finishes its in-flight
   * keys and hands unstarted rows back. Waits for nothing ({@link #stop} does): a stop tells every
   * writer to end first, then waits for each (review-s14c F7).
   */
  public synchronized void halt() {
    loop.stop();
    if (scheduler != null) {
      try {
        scheduler.shutdown(false); // no new tick; the one in flight is waited for by stop, within its bound
      } catch (SchedulerException e) {
        log.warn("stopping the reconcile scheduler: {}", e.getMessage());
      }
      scheduler = null;
    }
  }

  /**
   * Finishes the cycle in flight (in-flight applies complete, unstarted rows are released), then
   * stops, waiting at most {@code within} (a stop's bound: systemd kills it at TimeoutStopSec).
   * False when the cycle did not end in time (its statements or Fulcrum calls waiting on a peer that
   * does not answer): the rows it claimed stay claimed, with no outcome, until a node takes the
   * writer lease over and its rescue makes them due again (review-s13d 4), as after a crash.
   */
  public synchronized boolean stop(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    halt();
    boolean ended;
    try {
      ended = ticking.tryLock(within.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ended = false;
    }
    if (ended) {
      ticking.unlock();
    }
    return loop.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))) && ended;
  }
}
