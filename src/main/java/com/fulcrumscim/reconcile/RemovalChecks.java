package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumMember;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The member removals of one reconcile cycle, checked together. Each removal's reconcile sends its
 * DELETE and stops there; once every key the cycle claimed has had its turn, {@link #check} reads
 * Fulcrum for all of them: the member list once when it is one page (up to 20,000 members: 50
 * removals cost 51 calls, not 100), else each by id, on the loop's workers (a lone removal: its
 * DELETE and a read by id). Only then does each reconcile go on (the unlink, the outcome): a removal
 * is done only when a read made after its DELETE finds the member gone. Until its outcome commits
 * the key's work row stays claimed, so a crash in between leaves the key to be reconciled again
 * from what Fulcrum has then. A removal the check does not go on with (the cycle's thread
 * interrupted, a worker stopped, the check failed) still gets its outcome, retried, and the audit
 * row of its DELETE ({@link #close}).
 *
 * <p>Group member changes whose answer did not show their removals made ({@link GroupChangeCheck})
 * wait the same way, and are read back together: in one read of the group list when that costs
 * fewer calls than a read by id each.
 */
final class RemovalChecks {
  private final Observer observer;
  private final Queue<Waiting> waiting = new ConcurrentLinkedQueue<>();
  /** Set once {@link #close} ran: a removal sent after that is not checked this cycle. */
  private volatile boolean closed;

  /**
   * A removal whose DELETE went out {@code at}: the member, its email when planned, where its records
   * went, what the DELETE got.
   */
  record Sent(String memberId, String email, String reassignTo, ConfirmedDelete.Sent delete, Instant at) {
    /** How the removal's messages name it. */
    String entity(String memberEmail) {
      return "removing member " + memberId + " (" + memberEmail + ")";
    }
  }

  /**
   * What the check found for {@code sent}: what Fulcrum still has (the member itself, or in the list
   * a member with its email, invited again by hand after the DELETE; empty: gone), or why it could
   * not read; whether it read the list; and, found gone, a member with its email left in place
   * because another user has it (null: none), for the removal's audit row.
   */
  record Found(Sent sent, Optional<FulcrumMember> still, RuntimeException failure, boolean listed, String leftInPlace) {
    /**
     * The status the DELETE got (0: no answer) once the member is found gone; else the retryable
     * failure {@link ConfirmedDelete} gives ({@code then}: what happens next), or the read's own.
     */
    int status(String then) {
      if (failure instanceof FulcrumException) {
        throw failure;
      }
      if (failure != null) {
        // not the read's word on Fulcrum (a bug, an answer the client could not take): the removal
        // fails as any whose DELETE was not checked, so that its audit row records the DELETE
        throw notReadBack(sent, "the read failed: " + failure, then);
      }
      if (still.isEmpty()) {
        return sent.delete().status();
      }
      FulcrumMember m = still.get();
      boolean itself = m.id().equals(sent.memberId());
      throw ConfirmedDelete.stillThere(FulcrumClient.MEMBER_DELETE, sent.delete(), sent.entity(itself ? m.email() : sent.email()),
          itself ? "still has it" : "has " + m.email() + " again, as new member " + m.id(),
          listed ? "read back in the member list" : "read back by id", then);
    }

    /** The removal's audit detail, after where its records went. */
    String detail(String records) {
      return leftInPlace == null ? records : records + "; " + leftInPlace;
    }
  }

  /** A removal waiting for its check; {@code taken} once the check or {@link #close} goes on with it, which only one does. */
  private record Waiting(Attempt attempt, Supplier<Reconciled> resume, CompletableFuture<Reconciled> done, AtomicBoolean taken) {
    boolean take() {
      return taken.compareAndSet(false, true);
    }

    /** Whether what waits is a group member change, not a member removal. */
    boolean fromGroup() {
      return attempt.groupChangeSent() != null;
    }

    /** Hands the attempt what was found and goes on with its reconcile; the answer completes with its result. */
    void goOn(Found found) {
      attempt.removalChecked(found);
      carryOn();
    }

    /** As {@link #goOn}, for a group member change. */
    void goOnWithGroup(GroupChangeCheck.Found found) {
      attempt.groupChangeChecked(found);
      carryOn();
    }

    private void carryOn() {
      try {
        done.complete(resume.get());
      } catch (RuntimeException | Error e) {
        done.completeExceptionally(e);
      }
    }

    /** Goes on with the removal failed as not read back: its reconcile records the call and ends retried. */
    void notChecked(String why) {
      if (fromGroup()) {
        goOnWithGroup(GroupChangeCheck.notChecked(attempt.groupChangeSent(), why));
        return;
      }
      goOn(new Found(attempt.removalSent(), Optional.empty(), notReadBack(attempt.removalSent(), why, Applier.LINK_STAYS),
          false, null));
    }
  }

  RemovalChecks(Observer observer) {
    this.observer = observer;
  }

  /**
   * {@code attempt} sent its removal's DELETE ({@link Attempt#removalSent}) and stopped; {@code resume}
   * goes on with it once checked. The answer completes with the reconcile's result.
   */
  CompletableFuture<Reconciled> await(Attempt attempt, Supplier<Reconciled> resume) {
    Waiting w = new Waiting(attempt, resume, new CompletableFuture<>(), new AtomicBoolean());
    waiting.add(w);
    // A worker the cycle stopped waiting for (its thread interrupted) may send its DELETE after the
    // check: nothing else would ever go on with it, and its row would stay claimed until a restart.
    if (closed && w.take()) {
      w.notChecked("its cycle had checked its removals and ended before this DELETE went out");
    }
    return w.done();
  }

  /**
   * Reads the member list once for every removal waiting when it is one page (after their DELETEs:
   * each reconcile sent its own before it stopped), and returns a task per removal that hands its
   * attempt what was found (read back by id, when the list was not read) and goes on with its
   * reconcile; each completes the answer {@link #await} gave. The tasks are for the loop's workers:
   * reads by id one after another on one thread took 4.3 s for 16 removals at 200 ms a call.
   */
  List<Runnable> check() {
    List<Waiting> all = new ArrayList<>(waiting);
    List<Runnable> tasks = new ArrayList<>(memberRemovals(all.stream().filter(w -> !w.fromGroup()).toList()));
    tasks.addAll(groupChanges(all.stream().filter(Waiting::fromGroup).toList()));
    return tasks;
  }

  /** {@link #check}'s tasks for the member removals among the waiting. */
  private List<Runnable> memberRemovals(List<Waiting> all) {
    if (all.isEmpty()) {
      return List.of();
    }
    // Only a list of one page: read over several, a member can slip from an unread page onto a read
    // one while it is read (another removed by hand as someone is added; the total stays) and be
    // taken for removed while the person keeps access. Bigger organizations read each back by id.
    boolean listed = all.size() > 1 && observer.memberListCalls() == 1;
    RuntimeException listFailed = null;
    if (listed) {
      try {
        observer.rereadMemberList();
        // the copy at hand was one page, the organization has grown past it since: the read's own size decides
        listed = observer.memberListCalls() == 1;
      } catch (RuntimeException e) {
        listFailed = e;
      }
    }
    List<Runnable> tasks = new ArrayList<>();
    for (Waiting w : all) {
      Attempt attempt = w.attempt();
      Sent sent = attempt.removalSent();
      RuntimeException failed = listFailed;
      Supplier<Found> find = failed != null ? () -> new Found(sent, Optional.empty(), failed, true, null)
          : listed ? () -> listed(attempt, sent) : () -> readById(observer, sent);
      tasks.add(task(w, find, w::goOn));
    }
    return tasks;
  }

  /**
   * {@link #check}'s tasks for the group member changes among the waiting: the group list read once
   * (after all their calls) when it takes fewer calls than reading each group by id. Unlike the
   * member list, its pages cannot make a removal look done: a group the list does not show is read
   * by id ({@link GroupChangeCheck#listed}).
   */
  private List<Runnable> groupChanges(List<Waiting> all) {
    if (all.isEmpty()) {
      return List.of();
    }
    boolean listed = observer.groupListCalls() < all.size();
    RuntimeException listFailed = null;
    if (listed) {
      try {
        observer.rereadGroupList();
      } catch (RuntimeException e) {
        listFailed = e;
      }
    }
    List<Runnable> tasks = new ArrayList<>();
    for (Waiting w : all) {
      GroupChangeCheck.Sent sent = w.attempt().groupChangeSent();
      RuntimeException failed = listFailed;
      Supplier<GroupChangeCheck.Found> find = failed != null ? () -> new GroupChangeCheck.Found(sent, Optional.empty(), failed, true)
          : listed ? () -> GroupChangeCheck.listed(observer, sent) : () -> GroupChangeCheck.readById(observer, sent);
      tasks.add(task(w, find, w::goOnWithGroup));
    }
    return tasks;
  }

  /** A worker's task: finds what a read says of {@code w}'s removal, and goes on with its reconcile. */
  private static <F> Runnable task(Waiting w, Supplier<F> find, Consumer<F> goOn) {
    return () -> {
      if (!w.take()) {
        return;
      }
      F found;
      try {
        found = find.get();
      } catch (RuntimeException | Error e) {
        // what the read found could not be told (a database read failed): the removal still ends retried
        w.notChecked("its check failed: " + e);
        return;
      }
      goOn.accept(found);
    };
  }

  /**
   * The cycle's check is over: every removal it did not go on with fails as not read back
   * ({@code why}), and so does any sent later. Each goes on at once, here: its reconcile makes no
   * call (the removal fails first), holds the audit row of its DELETE and ends retried, so its row
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

  /**
   * In the list read: the member under its id, else one with its email that no other user has: a
   * person invited again by hand since the DELETE. One another user manages or is given (Okta
   * moved the email to it in the same batch) is that user's, as the planner has it
   * ({@link Observer#otherUserOf}): the removal is done, and its audit row says so.
   */
  private Found listed(Attempt attempt, Sent sent) {
    Optional<FulcrumMember> itself = observer.members.get(sent.memberId());
    if (itself.isPresent() || sent.email() == null) {
      return new Found(sent, itself, null, true, null);
    }
    String leftInPlace = null;
    for (FulcrumMember m : observer.members.matching(sent.email())) {
      Optional<String> whose = observer.otherUserOf(m, attempt.key.scimId());
      if (whose.isEmpty()) {
        return new Found(sent, Optional.of(m), null, true, null);
      }
      leftInPlace = "Fulcrum member " + m.id() + " (" + m.email() + ") is left in place: it belongs to " + whose.get();
    }
    return new Found(sent, Optional.empty(), null, true, leftInPlace);
  }

  /** The removal's check on its own: its member read back by id; a failure to read is kept for the removal to throw. */
  static Found readById(Observer observer, Sent sent) {
    try {
      return new Found(sent, observer.rereadMember(sent.memberId()), null, false, null);
    } catch (RuntimeException e) {
      return new Found(sent, Optional.empty(), e, false, null);
    }
  }

  private static FulcrumException.Unavailable notReadBack(Sent sent, String why, String then) {
    return ConfirmedDelete.notReadBack(FulcrumClient.MEMBER_DELETE, sent.delete(), sent.entity(sent.email()), why, then);
  }
}
