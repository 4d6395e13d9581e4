package com.fulcrumscim.reconcile;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.DirectSchedulerFactory;
import org.quartz.simpl.RAMJobStore;
import org.quartz.spi.ThreadPool;

/**
 * A Quartz scheduler in memory with one worker thread, for a job that never overlaps itself (the
 * reconcile cycle, the scheduled resync). Its worker ends as soon as the scheduler shuts down:
 * Quartz's own SimpleThreadPool lets an idle worker notice a shutdown only at its next half-second
 * poll, which every stop of the daemon (and of every test's daemon) waited out once per scheduler.
 */
public final class OneWorkerScheduler {
  private OneWorkerScheduler() {}

  /** A scheduler named {@code name}, unique in this JVM (Quartz keeps a registry by name), not started yet. */
  public static Scheduler create(String name) throws SchedulerException {
    DirectSchedulerFactory factory = DirectSchedulerFactory.getInstance();
    factory.createScheduler(name, name, new Worker(), new RAMJobStore());
    return factory.getScheduler(name);
  }

  /** Public for Quartz, which names it by reflection; one job at a time, on one thread. */
  public static final class Worker implements ThreadPool {
    private final Semaphore free = new Semaphore(1);
    private volatile boolean shutDown;
    private volatile String name = "quartz";
    private ExecutorService thread;

    @Override
    public boolean runInThread(Runnable job) {
      if (shutDown || !free.tryAcquire()) {
        return false;
      }
      try {
        thread.execute(() -> {
          try {
            job.run();
          } finally {
            free.release();
          }
        });
        return true;
      } catch (RejectedExecutionException shutDownMeanwhile) {
        free.release();
        return false;
      }
    }

    @Override
    public int blockForAvailableThreads() {
      try {
        // bounded waits, so that a scheduler halted while its job runs does not wait here for ever
        while (!shutDown) {
          if (free.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            free.release();
            return 1;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }

    @Override
    public void initialize() {
      thread = Executors.newSingleThreadExecutor(r -> new Thread(r, name + "_Worker-1"));
    }

    @Override
    public void shutdown(boolean waitForJobsToComplete) {
      shutDown = true;
      thread.shutdown();
      if (waitForJobsToComplete) {
        // through interrupts, as SimpleThreadPool's join does: Quartz's halt(true) interrupts its own
        // thread, and a caller's interrupt must not let a stop return with a cycle still applying
        // (review-s12d F4); the interrupt is kept for the caller
        boolean interrupted = false;
        while (true) {
          try {
            if (thread.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS)) {
              break;
            }
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public int getPoolSize() {
      return 1;
    }

    @Override
    public void setInstanceId(String schedInstId) {
      // one pool per scheduler: its name is enough
    }

    @Override
    public void setInstanceName(String schedName) {
      name = schedName;
    }
  }
}
