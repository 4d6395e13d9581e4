package com.fulcrumscim.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The writes of one reconcile cycle that are done only once a read made after them shows them made
 * ({@link ReadBack}: member removals, member PUTs and group member changes whose answer did not
 * show them made), checked together.
 * Each write's reconcile sends it and stops there; once every key the cycle claimed has had its
 * turn, {@link #check} reads Fulcrum for all of them: for each kind, its list once when that tells
 * them and costs fewer calls, else each by id, on the loop's workers. Only then does each reconcile
 * go on (the unlink, the outcome). Until its outcome commits the key's work row stays claimed, so a
 * crash in between leaves the key to be reconciled again from what Fulcrum has then. A write the
 * check does not go on with (the cycle's thread interrupted, a worker stopped, the check failed)
 * still gets its outcome, retried, and the audit row of its call ({@link #close}).
 */
final class RemovalChecks {
  /** The kinds, in the order the check reads their lists. */
  private static final List<ReadBack<?, ?>> KINDS =
      List.of(MemberRemovalCheck.KIND, MemberChangeCheck.KIND, GroupChangeCheck.KIND);

  private final Observer observer;
  private final Queue<Waiting> waiting = new ConcurrentLinkedQueue<>();
  /** Set once {@link #close} ran: a write sent after that is not checked this cycle. */
  private volatile boolean closed;

  /** A write waiting for its check; {@code taken} once the check or {@link #close} goes on with it, which only one does. */
  private record Waiting(Attempt attempt, Supplier<Reconciled> resume, CompletableFuture<Reconciled> done, AtomicBoolean taken) {
    boolean take() {
      return taken.compareAndSet(false, true);
    }

    Attempt.Awaited<?, ?> awaited() {
      return attempt.awaited();
    }

    /** Goes on with the attempt's reconcile, which takes what was found; the answer completes with its result. */
    void goOn() {
      try {
        done.complete(resume.get());
      } catch (RuntimeException | Error e) {
        done.completeExceptionally(e);
      }
    }

    /** Goes on with the write failed as not read back: its reconcile records the call and ends retried. */
    void notChecked(String why) {
      awaited().notChecked(why);
      goOn();
    }
  }

  RemovalChecks(Observer observer) {
    this.observer = observer;
  }

  /**
   * {@code attempt} sent its write ({@link Attempt#sent}) and stopped; {@code resume} goes on with it
   * once checked. The answer completes with the reconcile's result.
   */
  CompletableFuture<Reconciled> await(Attempt attempt, Supplier<Reconciled> resume) {
    Waiting w = new Waiting(attempt, resume, new CompletableFuture<>(), new AtomicBoolean());
    waiting.add(w);
    // A worker the cycle stopped waiting for (its thread interrupted) may send its write after the
    // check: nothing else would ever go on with it, and its row would stay claimed until a restart.
    if (closed && w.take()) {
      w.notChecked("its cycle had checked its writes and ended before this " + w.awaited().kind.write() + " went out");
    }
    return w.done();
  }

  /**
   * Reads, for each kind, its list once for every write of it waiting when that tells them and costs
   * fewer calls (after their calls: each reconcile sent its own before it stopped), and returns a task
   * per write that hands its attempt what was found (read back by id, when the list was not read)
   * and goes on with its reconcile; each completes the answer {@link #await} gave. The tasks are for
   * the loop's workers: reads by id one after another on one thread took 4.3 s for 16 removals at
   * 200 ms a call.
   */
  List<Runnable> check() {
    List<Waiting> all = new ArrayList<>(waiting);
    List<Runnable> tasks = new ArrayList<>();
    List<ReadBack<?, ?>> relisted = new ArrayList<>();
    for (ReadBack<?, ?> kind : KINDS) {
      tasks.addAll(tasks(kind, all.stream().filter(w -> w.awaited().kind == kind).toList(), relisted));
    }
    return tasks;
  }

  /**
   * {@link #check}'s tasks for the writes of {@code kind} among the waiting; {@code relisted}: the
   * kinds whose list this check has read again, to which {@code kind} is added when it reads its own.
   */
  private List<Runnable> tasks(ReadBack<?, ?> kind, List<Waiting> all, List<ReadBack<?, ?>> relisted) {
    if (all.isEmpty()) {
      return List.of();
    }
    boolean shared = relisted.stream().anyMatch(kind::readsListOf);
    boolean listed = shared || kind.listed(observer, all.size());
    RuntimeException listFailed = null;
    if (listed && !shared) {
      try {
        listed = kind.relist(observer);
        relisted.add(kind);
      } catch (RuntimeException e) {
        listFailed = e;
      }
    }
    List<Runnable> tasks = new ArrayList<>();
    for (Waiting w : all) {
      tasks.add(task(w, listed, listFailed));
    }
    return tasks;
  }

  /** A worker's task: finds what a read says of {@code w}'s write, and goes on with its reconcile. */
  private Runnable task(Waiting w, boolean listed, RuntimeException listFailed) {
    return () -> {
      if (!w.take()) {
        return;
      }
      try {
        w.awaited().find(observer, w.attempt(), listed, listFailed);
      } catch (RuntimeException | Error e) {
        // what the read found could not be told (a database read failed): the write still ends retried
        w.notChecked("its check failed: " + e);
        return;
      }
      w.goOn();
    };
  }

  /**
   * The cycle's check is over: every write it did not go on with fails as not read back
   * ({@code why}), and so does any sent later. Each goes on at once, here: its reconcile makes no
   * call (the write fails first), holds the audit row of its call and ends retried, so its row
   * gets an outcome instead of staying claimed.
   */
  void close(String why) {
    closed = true;
    // An interrupted cycle (often why checks were not made) must still write these outcomes: on
    // PostgreSQL a write runs on the calling thread, and an interrupt fails it. Kept for the caller.
    boolean interrupted = Thread.interrupted();
    try {
      for (Waiting w : waiting) {
        if (w.take()) {
          w.notChecked(why);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
