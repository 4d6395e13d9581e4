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

  private final RequestStore store;
  private final OperatorActions actions;
  private final Supplier<OperatorActions.Fulcrum> fulcrum;
  private ScheduledExecutorService thread;

  public RequestExecutor(RequestStore store, OperatorActions actions, Supplier<OperatorActions.Fulcrum> fulcrum) {
    this.store = store;
    this.actions = actions;
    this.fulcrum = fulcrum;
  }

  /** Starts carrying requests out (again, after {@link #close}: a node that leads once more). */
  public synchronized void start() {
    if (thread != null) {
      return; // carrying requests out already; a second thread would claim beside it
    }
    int abandoned = store.abandonRunning("the daemon stopped while carrying this request out; run the command again");
    if (abandoned > 0) {
      log.warn("{} operator request(s) were running when the daemon last stopped; answered as failed", abandoned);
    }
    thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "operator-requests");
      t.setDaemon(true);
      return t;
    });
    thread.scheduleWithFixedDelay(this::drain, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void drain() {
    Optional<OperatorRequest> next;
    while ((next = claim()).isPresent()) {
      OperatorRequest r = next.get();
      log.info("operator request #{}: {}{}", r.id(), r.kind(), r.target() == null ? "" : " " + r.target());
      OperatorRequest.Answer answer;
      try {
        answer = actions.carryOut(r, fulcrum, new Recorded(store, r.id()));
      } catch (RuntimeException e) {
        log.error("operator request #{} failed", r.id(), e);
        answer = new OperatorRequest.Answer(ExitCode.FAILED, "", "the daemon could not carry this out: " + e
            + " (its log has the details)" + System.lineSeparator());
      }
      store.answer(r.id(), answer);
      log.info("operator request #{} answered: exit {}", r.id(), answer.exitCode());
      store.pruneAnswered(KEEP_ANSWERED);
    }
  }

  private Optional<OperatorRequest> claim() {
    try {
      return store.claimNext();
    } catch (RuntimeException e) {
      log.warn("could not read operator requests; trying again: {}", e.toString());
      return Optional.empty();
    }
  }

  /** Waits for the request in progress, then stops. */
  @Override
  public synchronized void close() {
    if (thread == null) {
      return;
    }
    thread.shutdown();
    try {
      thread.awaitTermination(3, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread = null;
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
  }
}
