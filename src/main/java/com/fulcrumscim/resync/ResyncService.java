package com.fulcrumscim.resync;

import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.reconcile.OneWorkerScheduler;
import com.fulcrumscim.reconcile.ReconcileWiring;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduled resync: on the cron of {@code resync.schedule} (empty: never) it applies a resync
 * through the daemon's own reconciler path and keeps what it left as {@link LastResync} JSON in
 * the setting table under {@value #LAST_REPORT}. One resync at a time, an operator's too (the
 * {@link Resync} waits its turn); a run never throws into Quartz.
 */
public final class ResyncService {
  public static final String LAST_REPORT = "resync.last_report";
  private static final Logger log = LoggerFactory.getLogger(ResyncService.class);

  private final Resync resync;
  private final ReconcileWiring path;
  private final SettingStore settings;
  private final String cron;
  private final Clock clock;
  private final ReportJson json = new ReportJson();
  /** Held while a run goes: a stop waits on it for the run in progress, within its bound. */
  private final ReentrantLock running = new ReentrantLock();
  private Scheduler scheduler;

  public ResyncService(Resync resync, ReconcileWiring path, SettingStore settings, String cron, Clock clock) {
    this.resync = resync;
    this.path = path;
    this.settings = settings;
    this.cron = cron == null ? "" : cron.strip();
    this.clock = clock;
  }

  /** Quartz builds jobs; ours closes over this service instead of a static. */
  @DisallowConcurrentExecution
  private static final class RunJob implements Job {
    private final ResyncService service;

    RunJob(ResyncService service) {
      this.service = service;
    }

    @Override
    public void execute(JobExecutionContext context) {
      service.runNow();
    }
  }

  /**
   * Schedules the job; with an empty cron nothing is scheduled. A cron Quartz refuses (one that
   * never fires again: a year that has passed) is one ERROR line and no schedule, never a throw:
   * this runs in the takeover, and a throw there kept the node from ever writing to Fulcrum.
   */
  public synchronized void start() {
    if (scheduler != null) {
      return; // started already: a second "resync" job would be refused by the scheduler
    }
    if (cron.isEmpty()) {
      log.info("scheduled resync is off (resync.schedule is empty)");
      return;
    }
    try {
      scheduler = OneWorkerScheduler.create("resync-" + System.identityHashCode(this));
      scheduler.setJobFactory((bundle, s) -> new RunJob(this));
      scheduler.scheduleJob(JobBuilder.newJob(RunJob.class).withIdentity("resync").build(),
          TriggerBuilder.newTrigger().withSchedule(CronScheduleBuilder.cronSchedule(cron)
              .withMisfireHandlingInstructionDoNothing()).build());
      scheduler.start();
      log.info("scheduled resync on cron '{}'", cron);
    } catch (SchedulerException | RuntimeException e) {
      log.error("scheduled resync is off: cannot schedule it on resync.schedule '{}': {}", cron, e.getMessage());
      if (scheduler != null) {
        try {
          scheduler.shutdown(false); // its threads; nothing was scheduled
        } catch (SchedulerException ignored) {
          // nothing more to release
        }
        scheduler = null;
      }
    }
  }

  /**
   * Stops scheduling, and waits at most {@code within} (a stop's bound) for a run in progress, which
   * ends at its next check once {@link Resync#close} was called. False when it has not ended (a
   * Fulcrum call that does not answer): it is left to its thread, and what it queued stays queued.
   */
  public synchronized boolean stop(Duration within) {
    if (scheduler != null) {
      try {
        scheduler.shutdown(false); // no new run; the one in progress is waited for below, within the bound
      } catch (SchedulerException e) {
        log.warn("stopping the resync scheduler: {}", e.getMessage());
      }
      scheduler = null;
    }
    try {
      if (!running.tryLock(within.toNanos(), TimeUnit.NANOSECONDS)) {
        return false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    running.unlock();
    return true;
  }

  /**
   * One resync with apply, kept as the last report; a Fulcrum failure is kept as its error. A
   * resync already running (an operator's) is waited for: {@link Resync} runs one at a time.
   */
  public LastResync runNow() {
    running.lock();
    try {
      return run();
    } finally {
      running.unlock();
    }
  }

  private LastResync run() {
    Instant started = clock.instant();
    LastResync last;
    try {
      last = LastResync.of(resync.apply(path, Progress.NONE, 0));
      log.info("scheduled resync: {}", last.totals());
    } catch (FulcrumException e) {
      last = LastResync.failed(started, clock.instant(), e.getMessage());
      log.warn("scheduled resync could not run: {}", e.getMessage());
    } catch (Resync.Stopped e) {
      last = LastResync.failed(started, clock.instant(), e.getMessage());
      log.info("scheduled resync: {}", e.getMessage());
    } catch (Resync.PartlyApplied e) {
      last = LastResync.failed(started, clock.instant(), e.getMessage());
      log.warn("scheduled resync stopped when Fulcrum failed: {}", e.getMessage());
    } catch (RuntimeException e) {
      last = LastResync.failed(started, clock.instant(), e.toString());
      log.error("scheduled resync failed", e);
    }
    settings.put(LAST_REPORT, json.write(last, false));
    return last;
  }
}
