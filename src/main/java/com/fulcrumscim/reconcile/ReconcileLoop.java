package com.fulcrumscim.reconcile;

import com.fulcrumscim.config.DurationText;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.journal.ClaimLost;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cycle: claim due work rows, reconcile them on up to {@code parallelism} threads (one key
 * never twice at once: a claimed row is RUNNING), and record each outcome. Member removals wait,
 * outcome and all, for the reads that check them together once every key had its turn
 * ({@link RemovalChecks}), made on the same workers. {@link #finish} is the only place an
 * {@link Outcome} becomes a work-queue call, and the loop is the only part of the reconciler that
 * touches the work queue.
 */
public final class ReconcileLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReconcileLoop.class);
  /** The shortest wait: a cool-down about to end must not make a key spin through cycles. */
  static final Duration MIN_WAIT = Duration.ofSeconds(1);

  /** Hears every finished reconcile (metrics). */
  @FunctionalInterface
  public interface Listener {
    void finished(Outcome.Kind kind);

    /** Fulcrum has what Okta sent {@code sinceAcknowledged} after the bridge answered Okta 2xx. */
    default void applied(Duration sinceAcknowledged) {}

    /**
     * The outcome just {@link #finished} was dropped: another node took the row over while this
     * one reconciled it (this node stalled past its writer lease).
     */
    default void claimLost() {}
  }

  /** What a cycle did, for logs and tests. {@code skipped} says why nothing was claimed, else null. */
  public record Cycle(int claimed, int finished, int released, String skipped) {}

  private final WorkQueue queue;
  private final Reconciler reconciler;
  private final Pause pause;
  private final RetryPolicy retry;
  private final int batchSize;
  private final int parallelism;
  private final Clock clock;
  private final ExecutorService workers;
  private final Listener outcomes;
  private final Queue<WorkItem> stranded = new ConcurrentLinkedQueue<>();
  /**
   * Until when each removal held back by a rate limit was last warned of: one WARN line per row per
   * cool-down, however often a nudge runs it meanwhile (each refused here, sending nothing).
   */
  private final Map<ResourceKey, Instant> heldBackWarned = new ConcurrentHashMap<>();
  private volatile boolean stopping;
  private volatile boolean paused;
  /**
   * The refusal Fulcrum gave this node itself since it last took the lease over, while paused: not a
   * pause another node recorded that this node has yet to probe, nor one this node's own probes left
   * unconfirmed (Fulcrum unreachable).
   */
  private volatile Optional<Outcome.Paused> refusedHere = Optional.empty();

  /** {@code outcomes} hears the kind of every finished reconcile (metrics). */
  public ReconcileLoop(WorkQueue queue, Reconciler reconciler, Pause pause, RetryPolicy retry,
      int batchSize, int parallelism, Clock clock, Listener outcomes) {
    this.outcomes = outcomes;
    this.queue = queue;
    this.reconciler = reconciler;
    this.pause = pause;
    this.retry = retry;
    this.batchSize = batchSize;
    this.parallelism = parallelism;
    this.clock = clock;
    this.workers = Executors.newFixedThreadPool(parallelism, r -> {
      Thread t = new Thread(r, "reconcile-worker");
      t.setDaemon(true);
      return t;
    });
  }

  public Cycle runOnce() {
    if (stopping) {
      return new Cycle(0, 0, 0, "stopping");
    }
    // before the pause and the circuit: either may last hours, and a claimed row holds back its key's later changes
    releaseStranded();
    // A pause another node stored counts here too: this node may have taken the lease over from it.
    Optional<String> recorded = paused ? Optional.empty() : pause.reason();
    boolean found = recorded.isPresent();
    if (found) {
      paused = true;
    }
    if (paused) {
      Optional<FulcrumException> stillRefused = reconciler.probe(pause.refusedRead());
      if (stillRefused.isPresent()) {
        Optional<Outcome.Paused> again = Reconciler.pauseFor(stillRefused.get());
        if (again.isPresent() && refusedHere.isEmpty()) {
          // refused here too: the pause now names this node, whose token is the one to fix now
          pause.pause(again.get().reason(), again.get().refusedRead());
          refusedHere = again;
        }
        if (found) {
          // a restart with a new token that is refused too must not read as if the token now works
          log.error("RECONCILER PAUSED: {} (recorded before this process took over), and its first probe fails: {}. "
              + "No change reaches Fulcrum until {}; it is probed every cycle",
              recorded.get(), stillRefused.get().getMessage(), until(pause.refusedRead()));
        }
        return new Cycle(0, 0, 0, "paused: " + pause.reason().orElse("token refused"));
      }
      Optional<String> refusedRead = pause.refusedRead();
      pause.resume();
      paused = false;
      refusedHere = Optional.empty();
      log.warn("Fulcrum {}; the reconciler resumes", refusedRead.map(read -> "allows the API token's user " + read + " again")
          .orElse("accepts the API token again"));
    }
    if (reconciler.circuitOpen()) {
      return new Cycle(0, 0, 0, "Fulcrum circuit breaker open");
    }
    releaseGoneHolds();
    List<WorkItem> claimed = queue.claim(batchSize);
    if (!claimed.isEmpty()) {
      reconciler.beginCycle();
    }
    RemovalChecks checks = reconciler.removalChecks();
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger released = new AtomicInteger();
    Queue<CompletableFuture<Void>> recording = new ConcurrentLinkedQueue<>();
    Queue<WorkItem> todo = new ConcurrentLinkedQueue<>(claimed);
    onWorkers(todo, item -> {
      try {
        if (stopping || paused || reconciler.circuitOpen()) {
          queue.release(item);
          released.incrementAndGet();
        } else {
          recording.add(record(item, reconciler.reconcile(item.key(), queue.stillClaimed(item), checks), finished));
        }
      } catch (RuntimeException | Error e) {
        // An Error too: the row must be handed back whatever went wrong, and the worker goes on
        // to the rest of the batch. Stranded before the log line, which an OutOfMemoryError may fail.
        strand(item, e);
      }
    });
    // Rows no worker took (one stopped, or this thread was interrupted) are still claimed.
    for (WorkItem item; (item = todo.poll()) != null; ) {
      stranded.add(item);
    }
    // The member removals whose DELETEs went out are checked by reads made after all of them (one of
    // the member list, or one by id each, on the workers); only then do their reconciles go on to
    // unlink and to their outcomes. Those the check did not go on with end retried.
    String unchecked = "the check of its cycle's removals stopped before it (the cycle's thread was interrupted,"
        + " or a worker stopped)";
    try {
      onWorkers(new ConcurrentLinkedQueue<>(checks.check()), Runnable::run);
    } catch (RuntimeException | Error e) {
      log.error("could not check this cycle's member removals (each is retried): {}", e.toString(), e);
      unchecked = "the check of its cycle's removals failed: " + e;
    } finally {
      checks.close(unchecked);
    }
    // A cycle ends with its outcomes committed: the next claim and every reader see them.
    CompletableFuture.allOf(recording.toArray(CompletableFuture[]::new)).join();
    return new Cycle(claimed.size(), finished.get(), released.get(), null);
  }

  /**
   * Takes from {@code todo} on up to {@code parallelism} workers until it is empty, a worker stopped,
   * or this thread is interrupted. Interrupted, it returns without waiting, and the workers take
   * nothing more but are not interrupted: each ends the key at hand and records its outcome. An
   * interrupted worker failed its Fulcrum call midway (its outcome in doubt) and, on PostgreSQL,
   * the very write of its outcome, leaving the row claimed for a later cycle.
   */
  private <T> void onWorkers(Queue<T> todo, Consumer<T> each) {
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < Math.min(parallelism, todo.size()); i++) {
      running.add(workers.submit(() -> {
        for (T next; !stop.get() && (next = todo.poll()) != null; ) {
          each.accept(next);
        }
      }));
    }
    try {
      for (Future<?> worker : running) {
        try {
          worker.get();
        } catch (ExecutionException e) {
          log.error("a reconcile worker stopped; its unstarted rows are handed back at the next cycle", e.getCause());
        }
      }
    } catch (InterruptedException e) {
      stop.set(true);
      Thread.currentThread().interrupt();
    }
  }

  /** The outcome recorded once the reconcile answers (a removal's check may come later in the cycle). */
  private CompletableFuture<Void> record(WorkItem item, CompletableFuture<Reconciled> reconciled, AtomicInteger finished) {
    return reconciled.thenCompose(result -> finish(item, result)).handle((recorded, failure) -> {
      if (failure != null) {
        strand(item, Attempt.cause(failure));
      } else if (recorded) {
        finished.incrementAndGet();
      }
      return null;
    });
  }

  private void strand(WorkItem item, Throwable e) {
    stranded.add(item);
    log.error("could not finish {} (its row is handed back at the next cycle): {}", item.key(), e.toString(), e);
  }

  /**
   * Held removals whose member the last member list read no longer shows are made due before the
   * claim, so this cycle ends them DONE ("already gone") instead of leaving them for an approval. Best
   * effort: it only spares the operator a no-op approval, so a failure leaves the holds as they were.
   */
  private void releaseGoneHolds() {
    try {
      reconciler.releaseGoneHolds();
    } catch (RuntimeException e) {
      log.warn("could not look for held removals whose member is gone from Fulcrum (they stay held): {}", e.toString());
    }
  }

  /**
   * Rows whose outcome could not be written (the database failed under a worker) are still
   * claimed; nothing else would make them due again until another node took over, and a claimed
   * row also holds back every later change to its key. Each cycle hands them back first.
   */
  private void releaseStranded() {
    for (WorkItem item; (item = stranded.peek()) != null; ) {
      try {
        queue.release(item);
      } catch (RuntimeException e) {
        log.warn("still cannot hand {} back: {}", item.key(), e.toString());
        return;
      }
      stranded.remove(item);
    }
  }

  /**
   * The outcome, the keys it affects and what the reconcile left unwritten (links, audit) are
   * written in one transaction, which the worker does not wait for (the row stays RUNNING until it
   * commits). If what the reconcile wrote cannot be committed, the outcome becomes a failure,
   * retried within the budget: a create's intent is still there to recognise what it made. A row
   * that is no longer this claim's (the node stalled past its lease and another took over) gets
   * nothing but the audit rows of the calls made, and a removal it held is not reported: the node
   * that holds the row now reconciles it. The answered future says when it is done, and whether
   * the outcome was recorded.
   */
  private CompletableFuture<Boolean> finish(WorkItem item, Reconciled result) {
    Instant now = clock.instant();
    outcomes.finished(result.outcome().kind());
    WorkQueue.Fate fate = fate(item, result, now);
    Attempt.Unwritten unwritten = result.unwritten();
    return unwritten.started().handle((started, failure) -> failure)
        .thenCompose(failure -> failure != null ? recordFailure(item, result, now, failure)
            : queue.recordLater(item, fate, result.affected(), result.wake(), unwritten.held())
                .exceptionallyCompose(e -> recordFailure(item, result, now, e)))
        .handle((recorded, failure) -> {
          if (failure != null && Attempt.cause(failure) instanceof ClaimLost lost) {
            log.warn("{}", lost.getMessage());
            outcomes.claimLost();
            return false;
          }
          if (failure != null) {
            log.error("could not record the outcome of {} (its row is handed back at the next cycle): {}",
                item.key(), failure.toString(), failure);
            stranded.add(item);
            return false;
          }
          // Only what the row really is now: a newer Okta change that put it back to PENDING runs it
          // again, and the fate recorded is the one written (a failed commit records a retry instead).
          if (recorded.took() && recorded.fate() instanceof WorkQueue.Fate.Hold hold) {
            // Loud on purpose: until an operator approves, the person keeps access to Fulcrum (or a role).
            log.error("{} HELD for {}: {}", ((Outcome.Held) result.outcome()).what(), item.key(), hold.reason());
          } else if (recorded.took() && recorded.fate() instanceof WorkQueue.Fate.Retry failed && failed.spendsAttempt()
              && failed.removal()) {
            // Not INFO: each failed attempt leaves the person their access, for up to the whole retry budget.
            log.warn("DEPROVISIONING RETRYING for {}{}: {}. {} until it succeeds: attempt {} failed, the next is due at {};"
                + " it gives up (DEAD) once the retry budget of {} runs out", item.key(), person(result),
                failed.error(), keepers(item), item.attempts() + 1, failed.at(), DurationText.of(retry.budget()));
          } else if (recorded.took() && recorded.fate() instanceof WorkQueue.Fate.HeldBack held
              && firstWarningOf(item, held.at(), now)) {
            // Loud as a failure: a limit held on long enough ends the row DEAD, and until then the person keeps access.
            log.warn("DEPROVISIONING RETRYING for {}{}: {}. {} until it succeeds: the rate limit holds calls back (no attempt"
                + " spent), it is tried again at {}; held back for longer than the retry budget of {} in all, it gives up (DEAD);"
                + " `fulcrum-scim status` lists it under \"Removals waiting\"", item.key(), person(result), held.error(),
                keepers(item), held.at(), DurationText.of(retry.budget()));
          } else if (result.outcome() instanceof Outcome.Paused refused && result.deprovisions(item.removal())) {
            // The pause spends no attempt, yet this attempt failed and the person keeps access for as long as it lasts.
            log.warn("DEPROVISIONING RETRYING for {}{}: {}. {} until it succeeds: the reconciler is paused, so it waits"
                + " (no attempt spent) and is tried once the pause ends; `fulcrum-scim status` lists it under \"Removals waiting\"",
                item.key(), person(result), refused.reason(), keepers(item));
          } else if (recorded.took() && recorded.fate() instanceof WorkQueue.Fate.Dead dead) {
            if (dead.removal()) {
              // As loud: a deprovisioning that gave up leaves the person their access until an operator acts.
              log.error("DEPROVISIONING DEAD for {}: {}", item.key(), dead.reason());
            } else {
              // Any other change that gave up (a new hire with no seat, a role Fulcrum does not have) waits
              // for an operator too; status and the dead-rows alert show it, and so does the log someone reads.
              log.warn("DEAD for {}: {}; `fulcrum-scim journal retry {}` once that is resolved", item.key(), dead.reason(),
                  item.key());
            }
          }
          recorded.acknowledged().ifPresent(at -> outcomes.applied(Duration.between(at, now)));
          return true;
        });
  }

  private CompletableFuture<WorkQueue.Finished> recordFailure(WorkItem item, Reconciled result, Instant now, Throwable failure) {
    Throwable cause = Attempt.cause(failure);
    if (cause instanceof ClaimLost lost) {
      return dropped(result, lost);
    }
    String reason = "could not commit what reconciling " + item.key() + " wrote after its Fulcrum calls: "
        + (cause.getMessage() != null ? cause.getMessage() : cause.toString());
    log.error("{}; it is retried", reason);
    // The audit rows still go in: the Fulcrum calls they describe happened.
    return queue.recordLater(item, failed(item, result, now, reason), result.affected(), result.wake(),
        result.unwritten().audits())
        .exceptionallyCompose(e -> Attempt.cause(e) instanceof ClaimLost lost ? dropped(result, lost) : CompletableFuture.failedFuture(e));
  }

  /** The claim passed on: only the audit rows go in (the calls happened), and the loss is reported. */
  private CompletableFuture<WorkQueue.Finished> dropped(Reconciled result, ClaimLost lost) {
    return reconciler.writeAudits(result).thenCompose(written -> CompletableFuture.failedFuture(lost));
  }

  private WorkQueue.Fate fate(WorkItem item, Reconciled result, Instant now) {
    Outcome outcome = result.outcome();
    return switch (outcome.kind()) {
      case APPLIED, NO_CHANGE -> new WorkQueue.Fate.Done();
      case SKIPPED -> new WorkQueue.Fate.Skipped(((Outcome.Skipped) outcome).reason());
      case RETRY_AFTER -> {
        Outcome.RetryAfter wait = (Outcome.RetryAfter) outcome;
        Duration delay = wait.delay().compareTo(MIN_WAIT) < 0 ? MIN_WAIT : wait.delay();
        if (wait.rateLimited() && result.deprovisions(item.removal())) {
          yield heldBack(item, now.plus(delay), wait.why(), now);
        }
        // A group waiting on a leaver's removal is one: should it end DEAD for another reason, that DEAD
        // is loud. A wait never lowers the flag: a leaver waiting for its unanswered create to show
        // plans no removal yet, and a later attempt failing before it plans falls back to the flag
        // (review-s16h F1); a row whose removal went ends DONE, which clears it.
        yield new WorkQueue.Fate.Retry(now.plus(delay), wait.why(), false,
            item.removal() || result.deprovisions(item.removal()));
      }
      case FAILED -> failed(item, result, now, ((Outcome.Failed) outcome).reason());
      case TERMINAL -> {
        Outcome.Terminal dead = (Outcome.Terminal) outcome;
        yield new WorkQueue.Fate.Dead(dead.reason(), result.deprovisions(item.removal()), dead.keptBy());
      }
      case HELD -> {
        Outcome.Held held = (Outcome.Held) outcome;
        yield new WorkQueue.Fate.Hold(held.reason(), held.memberId());
      }
      case PAUSED -> {
        Outcome.Paused refused = (Outcome.Paused) outcome;
        pause(refused.reason(), refused.refusedRead());
        yield new WorkQueue.Fate.Release();
      }
    };
  }

  /**
   * A removal a rate limit held back: it waits without spending an attempt, as a burst of 429s must
   * not use a row's attempts up, but only within the retry budget counted from its first hold or
   * failure. Sustained 429s (Fulcrum's limit is its user's, which the Owner's other scripts share)
   * must not keep a person's access for ever, unseen: past the budget it is DEAD, loud, retryable.
   */
  private WorkQueue.Fate heldBack(WorkItem item, Instant at, String why, Instant now) {
    if (retry.spent(item, now)) {
      return new WorkQueue.Fate.Dead(why + " (gave up: rate limits and failures held this removal back for longer than the"
          + " retry budget of " + DurationText.of(retry.budget()) + ")", true);
    }
    return new WorkQueue.Fate.HeldBack(at, why);
  }

  /**
   * Whether {@code item} is held back with no earlier hold of it still running (its end, {@code at},
   * kept); forgets holds that have ended. Not by {@code at} itself: it is this run's clock plus what
   * the pacer's clock left of the cool-down, so it moves by the run's own time from run to run
   * (review-s14b A).
   */
  private boolean firstWarningOf(WorkItem item, Instant at, Instant now) {
    heldBackWarned.values().removeIf(until -> !until.isAfter(now));
    return heldBackWarned.put(item.key(), at) == null;
  }

  /** Who keeps access while {@code item}'s removal is not made. */
  private static String keepers(WorkItem item) {
    return item.key().type() == EntityType.GROUP ? "The people Okta took out of it KEEP ACCESS" : "The person KEEPS ACCESS";
  }

  /** ", user ada (ada@corp.example)"; nothing for an outcome whose commit failed, which its reconcile did not name. */
  private static String person(Reconciled result) {
    return result.person() != null ? ", " + result.person() : "";
  }

  private WorkQueue.Fate failed(WorkItem item, Reconciled result, Instant now, String reason) {
    return retry.next(item, now).<WorkQueue.Fate>map(at -> new WorkQueue.Fate.Retry(at, reason, true,
            result.deprovisions(item.removal())))
        .orElseGet(() -> new WorkQueue.Fate.Dead(reason + " (gave up after the retry budget of " + DurationText.of(retry.budget()) + ")",
            result.deprovisions(item.removal())));
  }

  /**
   * Fulcrum refused a read at start, before any change asked for it ({@link Reconciler#pauseFor}):
   * paused as a reconcile refused would pause it, so status, /healthz and the gauge say so at once
   * (a deactivation the guard holds makes no call that would) and the first cycle's probe ends it.
   */
  public void refusedAtStart(Outcome.Paused refused) {
    pause(refused.reason(), refused.refusedRead());
  }

  private synchronized void pause(String reason, Optional<String> refusedRead) {
    if (!paused) {
      paused = true;
      refusedHere = Optional.of(new Outcome.Paused(reason, refusedRead));
      pause.pause(reason, refusedRead);
      log.error("RECONCILER PAUSED: {}. No change reaches Fulcrum until {}; it is probed every cycle", reason,
          until(refusedRead));
    }
  }

  /** What ends a pause: a read refused (403, 402) to a token that works needs its user allowed, not a new token. */
  private static String until(Optional<String> refusedRead) {
    return refusedRead.map(read -> "Fulcrum allows the token's user " + read).orElse("the token works again");
  }

  /**
   * Whether this node's reconciler is paused: Fulcrum refused it (its own token, on a node that
   * leads), or it found another node's pause and is about to probe it.
   */
  public boolean paused() {
    return paused;
  }

  /** Why Fulcrum refused this node itself, while paused since it last {@link #tookOver()}; empty otherwise. */
  public Optional<Outcome.Paused> refusedHere() {
    return refusedHere;
  }

  /**
   * This node takes the lease over: what Fulcrum refused it while it led before is probed again
   * before it counts (its token may work by now), and a refusal then names this node in the pause
   * again, which the node that led meanwhile may have ended or named.
   */
  public void tookOver() {
    refusedHere = Optional.empty();
  }

  /** The pause recorded in the database, by whichever node made it: what its probe reads. */
  public Optional<Outcome.Paused> recorded() {
    return pause.reason().map(reason -> new Outcome.Paused(reason, pause.refusedRead()));
  }

  /** Current cycles finish their in-flight keys and hand unstarted rows back. */
  public void stop() {
    stopping = true;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /** Stops, and waits at most {@code within} for the keys workers have in hand; false when one still runs. */
  public boolean close(Duration within) {
    stop();
    workers.shutdown();
    try {
      return workers.awaitTermination(within.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
