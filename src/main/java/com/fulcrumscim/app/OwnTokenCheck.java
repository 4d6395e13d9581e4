package com.fulcrumscim.app;

import com.fulcrumscim.config.DurationText;
import com.fulcrumscim.control.AcceptedTokens;
import com.fulcrumscim.control.Leadership;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.reconcile.Outcome;
import com.fulcrumscim.reconcile.ReconcileLoop;
import com.fulcrumscim.reconcile.Reconciler;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a node of several (PostgreSQL), asks Fulcrum again whether it accepts this node's own API
 * token, every {@link #every(Duration)}, while that matters: this node's token was refused, or,
 * as a standby, another node's pause is recorded. One read a time, the one the refusal or the pause
 * names (the token's user otherwise), counted in the shared hourly budget; none while nothing is
 * refused or paused. Accepted, the node records when ({@link AcceptedTokens}), for a leader paused on
 * its own token to hand it the lease, and is no longer refused; refused, its entry goes and it is
 * refused again (review-s11f F1, F2: one report at a node's start left the cluster paused while a
 * node whose token worked stood by, until an operator restarted one).
 */
final class OwnTokenCheck implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OwnTokenCheck.class);
  /** Lease lives between two checks: 30 s at the default lease, 120 calls an hour while it lasts. */
  private static final int LIVES = 2;

  private final OwnTokenRefusal refusal;
  private final AcceptedTokens accepted;
  private final Leadership leadership;
  private final ReconcileLoop loop;
  private final Reconciler reconciler;
  private final Duration every;
  /** How long each write of the entry may take: the lease's own bound, so a stop waits no longer on one. */
  private final Duration bound;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "own-token-check");
    t.setDaemon(true);
    return t;
  });
  /** Whether this standby said it records its accepted token for the pause at hand (the check's thread only). */
  private boolean saidAccepted;
  /** Held while a check acts on Fulcrum's answer, and by close to set {@link #closed}. */
  private final ReentrantLock answering = new ReentrantLock();
  /** Set at close: a check answered later (its read outlived the stop) writes nothing (review-s12e F2). */
  private boolean closed;

  OwnTokenCheck(OwnTokenRefusal refusal, AcceptedTokens accepted, Leadership leadership, ReconcileLoop loop,
      Reconciler reconciler, Duration leaseTtl) {
    this.refusal = refusal;
    this.accepted = accepted;
    this.leadership = leadership;
    this.loop = loop;
    this.reconciler = reconciler;
    this.every = every(leaseTtl);
    this.bound = WriterLease.bound(leaseTtl);
  }

  /** How often the token is asked about while that matters, at lease life {@code leaseTtl}. */
  static Duration every(Duration leaseTtl) {
    return leaseTtl.multipliedBy(LIVES);
  }

  /** How long a node's accepted token counts for a hand-over: two checks, so one late check does not lose it. */
  static Duration fresh(Duration leaseTtl) {
    return every(leaseTtl).multipliedBy(2);
  }

  /**
   * {@code acceptedAtStart}: every start check read worked with this node's token, so a leader paused
   * on its own token may hand the lease to this node from now on.
   */
  OwnTokenCheck start(boolean acceptedAtStart) {
    if (acceptedAtStart) {
      accepted.accepted(bound);
    }
    thread.scheduleWithFixedDelay(this::checkOrSay, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void checkOrSay() {
    try {
      check();
    } catch (RuntimeException e) {
      log.warn("could not check this node's own Fulcrum API token (again in {}): {}", DurationText.of(every), e.toString());
    }
  }

  private void check() {
    Optional<Outcome.Paused> own = refusal.current();
    Optional<Outcome.Paused> others = leadership.leading() ? Optional.empty() : loop.recorded();
    if (own.isEmpty() && others.isEmpty()) {
      saidAccepted = false;
      return;
    }
    Optional<String> read = own.flatMap(Outcome.Paused::refusedRead).or(() -> others.flatMap(Outcome.Paused::refusedRead));
    Optional<FulcrumException> answer = reconciler.probe(read);
    answering.lock();
    try {
      if (!closed) {
        act(own, others, answer);
      }
    } finally {
      answering.unlock();
    }
  }

  /** What Fulcrum's answer means: this node's entry, its refusal (its /healthz), and the line saying so. */
  private void act(Optional<Outcome.Paused> own, Optional<Outcome.Paused> others, Optional<FulcrumException> answer) {
    if (answer.isEmpty()) {
      // unmarked first, as a refusal is marked first: a failed write must not leave it marked
      if (own.isPresent()) {
        refusal.accepted();
      }
      try {
        accepted.accepted(bound);
      } catch (RuntimeException e) {
        // Fulcrum answered: the check worked, its record did not (review-s13e F4)
        log.warn("Fulcrum accepts this node's own API token{}, but recording that for the other nodes failed (tried again"
            + " in {}); until it is recorded, no leader paused on its own token hands the writer lease to this node: {}",
            own.isPresent() ? " again (its /healthz no longer says refused)" : "", DurationText.of(every), e.toString());
        return;
      }
      if (own.isPresent()) {
        log.warn("Fulcrum accepts this node's own API token again: it takes a free writer lease as the other nodes do,"
            + " and a leader paused on its own token hands the lease to it; its /healthz no longer says refused");
      } else if (!saidAccepted) {
        log.info("the reconciler is paused ({}), and Fulcrum accepts this node's own API token: recorded, so that a"
            + " leader paused on its own token hands the writer lease over at its next renewal (checked every {} while"
            + " the pause lasts)", others.get().reason(), DurationText.of(every));
      }
      saidAccepted = true;
      return;
    }
    // not reachable, say: no answer either way, and an entry it left ages out
    Optional<Outcome.Paused> refused = Reconciler.pauseFor(answer.get());
    if (refused.isEmpty()) {
      return;
    }
    // marked first: a database failure below must not leave it taking a free lease, /healthz silent (review-s12c F5)
    refusal.refused(refused.get());
    saidAccepted = false;
    if (own.isEmpty()) {
      log.error("this node's Fulcrum API token is refused now: {}. It leaves a free writer lease to the other nodes"
          + " first, and no leader hands the lease to it; its /healthz says so (checked again every {})",
          refused.get().reason(), DurationText.of(every));
    }
    takeBack(bound);
  }

  /**
   * This node's entry goes, within {@code within}: a database that does not answer in time (at a stop,
   * where systemd kills after 60 s, review-s12e F3) leaves it to age out.
   */
  private void takeBack(Duration within) {
    try {
      accepted.refused(within);
    } catch (RuntimeException e) {
      log.warn("could not take back this node's record that Fulcrum accepted its token ({}): until that record ages"
          + " out (within {}), a paused leader may still hand this node the writer lease (a node stopped leaves it to"
          + " the others)", e.toString(), DurationText.of(every.multipliedBy(2)));
    }
  }

  /**
   * A clean stop: no check writes the entry again, and the entry goes, so no leader hands the lease to this node.
   * A read in flight is not waited for: OkHttp's read ignores the interrupt, and a check it answers late acts on nothing.
   */
  @Override
  public void close() {
    close(StopBudget.of(StopBudget.WHOLE));
  }

  /**
   * {@link #close()} within what is left of a stop's {@code budget}: a check's write still in flight (a
   * database that does not answer) is waited for at most the lease's bound, and then this close leaves
   * the entry to age out rather than remove it before that write could put it back.
   */
  void close(StopBudget budget) {
    thread.shutdownNow();
    try {
      if (!answering.tryLock(budget.within(bound).toNanos(), TimeUnit.NANOSECONDS)) {
        // removed now, it could be written again by that write's commit
        log.warn("the stop's bound ran out while a check of this node's token was writing: its record that Fulcrum"
            + " accepted the token is left to age out (within {})", DurationText.of(every.multipliedBy(2)));
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      closed = true;
    } finally {
      answering.unlock();
    }
    takeBack(budget.within(bound));
  }
}
