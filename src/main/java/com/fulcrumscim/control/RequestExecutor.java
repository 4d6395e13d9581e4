package com.fulcrumscim.control;

import com.fulcrumscim.ops.ExitCode;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of the operator commands: polls the request table, carries each request out
 * (one at a time, oldest first) through {@link OperatorActions} on the daemon's own reconciler,
 * and writes the answer the waiting command prints.
 */
public final class RequestExecutor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RequestExecutor.class);
  /** How soon a command's request is picked up. */
  public static final Duration POLL = Duration.ofMillis(300);
  /** How long an answered request's row is kept (for a command that reads its answer late). */
  static final Duration KEEP_ANSWERED = Duration.ofDays(7);
  /** A failed read of the requests is said once, then this often while it lasts, as the lease keeper's standby does. */
  private static final Duration SAYS_UNREADABLE_EVERY = Duration.ofMinutes(1);

  private final RequestStore store;
  private final OperatorActions actions;
  private final Supplier<OperatorActions.Fulcrum> fulcrum;
  /** The loop carrying requests out while this node leads; null while it does not. */
  private Loop loop;
  /**
   * A loop {@link #close(Duration)} left running: its request in flight had not ended in time (a
   * Fulcrum call that does not answer). Until it ends, a loop started meanwhile (the node leads
   * again) claims nothing and leaves its request RUNNING for it to answer: two loops at once ran two
   * requests side by side, each overwriting the other's answer, and the new one answered the
   * lingering request "run the command again" while it still ran (review-s15e F1).
   */
  private volatile Loop lingering;
  /** Whether the last read of the requests failed, and when that was last said (monotonic clock). */
  private boolean saidUnreadable;
  private long saidUnreadableAt;

  private record Unwritten(long id, OperatorRequest.Answer answer) {}

  public RequestExecutor(RequestStore store, OperatorActions actions, Supplier<OperatorActions.Fulcrum> fulcrum) {
    this.store = store;
    this.actions = actions;
    this.fulcrum = fulcrum;
  }

  /** Starts carrying requests out (again, after {@link #close}: a node that leads once more). */
  public synchronized void start() {
    if (loop != null) {
      return; // carrying requests out already; a second thread would claim beside it
    }
    Loop before = lingering;
    if (before != null && before.ended()) {
      before.writeUnwrittenAnswer(); // before the RUNNING rows are abandoned: that request was carried out
      lingering = before = null;
    }
    Loop started = new Loop();
    int abandoned = store.abandonRunning("the daemon stopped while carrying this request out; run the command again",
        before == null ? NONE : before.running);
    if (abandoned > 0) {
      log.warn("{} operator request(s) were running when the daemon last stopped; answered as failed", abandoned);
    }
    loop = started;
    started.thread.scheduleWithFixedDelay(started::drain, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static final long NONE = -1;

  /** One thread carrying requests out, one at a time, until it is closed. */
  private final class Loop {
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "operator-requests");
      t.setDaemon(true);
      return t;
    });
    /**
     * Set by {@link #close}: this node stops leading, so it claims nothing more while it finishes the
     * request in flight; what is still pending goes to the next leader.
     */
    private volatile boolean closing;
    /** The request being carried out, until its answer is written; {@link #NONE} between requests. */
    private volatile long running = NONE;
    /** A request carried out whose answer could not be written yet: the command waits on the row for it. */
    private volatile Unwritten unwritten;

    boolean ended() {
      return thread.isTerminated();
    }

    /**
     * One scheduled run. Nothing may escape it: a scheduled task that throws is never run again, and
     * every later command would wait forever on a request no thread carries out.
     */
    private void drain() {
      try {
        Loop before = lingering;
        if (before != null && !before.ended()) {
          return; // its request still runs: one at a time
        }
        Optional<OperatorRequest> next;
        // an answer still owed comes first: claiming more while the database refuses it would pile up answers
        while (!closing && writeUnwrittenAnswer() && (next = claim()).isPresent()) {
          OperatorRequest r = next.get();
          if (closing) {
            // claimed as this node stepped down: the next leader carries it out, or has already
            // answered it as abandoned (release finds it DONE), and the operator runs it again
            store.release(r.id());
            return;
          }
          running = r.id();
          // kept until written: carried out once, the request must neither stay RUNNING nor be done again
          unwritten = new Unwritten(r.id(), carryOut(r));
          if (writeUnwrittenAnswer()) {
            store.pruneAnswered(KEEP_ANSWERED);
          }
        }
      } catch (RuntimeException | Error e) {
        // an Error too: a scheduled run that throws is never run again, and every later command would wait
        log.error("carrying out operator requests failed; trying again in {} ms", POLL.toMillis(), e);
      }
    }

    /** Writes the answer still owed to a command, if any; false while that fails (logged). */
    private boolean writeUnwrittenAnswer() {
      Unwritten owed = unwritten;
      if (owed == null) {
        return true;
      }
      try {
        if (!store.answer(owed.id(), owed.answer())) {
          log.warn("operator request #{} was answered meanwhile (a daemon that took over abandoned it); this node's "
              + "answer (exit {}) is dropped", owed.id(), owed.answer().exitCode());
          unwritten = null;
          running = NONE;
          return true;
        }
      } catch (RuntimeException e) {
        log.error("could not write the answer to operator request #{} (exit {}); its command waits, and writing it "
            + "is tried again in {} ms: {}", owed.id(), owed.answer().exitCode(), POLL.toMillis(), e.toString());
        return false;
      }
      unwritten = null;
      running = NONE;
      log.info("operator request #{} answered: exit {}", owed.id(), owed.answer().exitCode());
      return true;
    }
  }

  private OperatorRequest.Answer carryOut(OperatorRequest r) {
    log.info("operator request #{}: {}{}", r.id(), r.kind(), r.target() == null ? "" : " " + r.target());
    try {
      return actions.carryOut(r, fulcrum, new Recorded(store, r.id()));
    } catch (RuntimeException | Error e) {
      log.error("operator request #{} failed", r.id(), e);
      return new OperatorRequest.Answer(ExitCode.FAILED, "", "the daemon could not carry this out: " + e
          + " (its log has the details)" + System.lineSeparator());
    }
  }

  private Optional<OperatorRequest> claim() {
    Optional<OperatorRequest> next;
    try {
      next = store.claimNext();
    } catch (RuntimeException e) {
      // each poll (300 ms) through a database outage said it: 17 lines a node in 16 s (review-s17ha F8)
      long now = System.nanoTime();
      if (!saidUnreadable || now - saidUnreadableAt >= SAYS_UNREADABLE_EVERY.toNanos()) {
        log.warn("could not read operator requests; trying again every {} ms (said again each minute while it lasts): {}",
            POLL.toMillis(), e.toString());
        saidUnreadableAt = now;
      }
      saidUnreadable = true;
      return Optional.empty();
    }
    if (saidUnreadable) {
      saidUnreadable = false;
      log.info("operator requests are read again");
    }
    return next;
  }

  /** Waits for the request in progress, then stops. */
  @Override
  public void close() {
    close(Duration.ofMinutes(3));
  }

  /**
   * {@link #close()}, waiting at most {@code within} (a stop's bound) for the request in progress.
   * False when it has not ended (a Fulcrum call that does not answer): it is left to its thread, and
   * the node that takes the writer lease next answers its command that the daemon stopped while
   * carrying it out, as after a crash.
   */
  public synchronized boolean close(Duration within) {
    if (loop == null) {
      return lingeringEnded();
    }
    Loop closed = loop;
    loop = null;
    closed.closing = true;
    closed.thread.shutdown();
    boolean ended;
    try {
      ended = closed.thread.awaitTermination(within.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ended = false;
    }
    if (!ended) {
      // one still under way claimed after any loop left before it ended: that one is over
      lingering = closed;
      return false;
    }
    closed.writeUnwrittenAnswer(); // a node that stops leading still owes the waiting command its answer
    return lingeringEnded();
  }

  /** Whether no loop an earlier close left running is still under way. */
  private boolean lingeringEnded() {
    Loop left = lingering;
    return left == null || left.ended();
  }

  /** Progress goes to the row, where the waiting command reads it. */
  private record Recorded(RequestStore store, long id) implements Watch {
    @Override
    public void planned(String text) {
      store.planned(id, text);
    }

    @Override
    public void update(String phase, int done, int total) {
      store.progress(id, phase, done, total);
    }

    @Override
    public void waiting(String what) {
      store.notice(id, "waiting for the daemon: it finishes " + what + " before it begins this");
    }
  }
}
