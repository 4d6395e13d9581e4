package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.ClaimLost;
import com.fulcrumscim.journal.ResourceKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * One reconcile of one key. What it writes after a Fulcrum call (the link of what it created, the
 * intent's removal, the audit rows) is held back and committed with the key's outcome, in one
 * transaction the worker does not wait for: a create of one call makes the worker wait for one
 * commit (its intent, which must precede the call) instead of two, and costs two transactions
 * instead of three. A crash before that commit leaves the work row claimed and the intent in
 * place, so the key is reconciled again and the create recognised. Until then only this attempt
 * sees its link; its next plan reads it from here. No one else writes this key's link meanwhile:
 * the key's work row stays claimed until its outcome commits. Held writes start (without a wait)
 * before the attempt's next Fulcrum call or any write it waits for; an adopted entity, which has
 * no intent behind it, is linked at once ({@code Applier}).
 *
 * <p>Every write of the key's state (intent, link, unlink) first checks that the work row is still
 * this attempt's claim: a node that stalled past its writer lease finds it taken over and changes
 * nothing. Audit rows are not checked: the Fulcrum calls they describe happened.
 */
final class Attempt {
  final ResourceKey key;
  /** Throws {@code ClaimLost} once the key's work row is no longer this attempt's claim. */
  private final Database.Work<?> claim;
  /** Ids read again from Fulcrum during this reconcile: each doubt is confirmed once. */
  final Set<String> confirmed = new HashSet<>();
  /** Ids read from Fulcrum one by one during this reconcile (a GET, not a list). */
  final Set<String> readById = new HashSet<>();
  /**
   * Members whose removal a read by id found gone in this reconcile: a plan that removes one again
   * was made on a member list read since, which still shows it.
   */
  final Set<String> removedById = new HashSet<>();
  private final List<Held> held = new ArrayList<>();
  private final List<CompletableFuture<?>> started = new ArrayList<>();
  private final Set<ResourceKey> alsoDue = new HashSet<>();
  private final Set<String> groupsLeft = new HashSet<>();
  private Link link;
  private Recorded recorded;
  /** Whether the key had a link when this attempt first read it (null: not read yet). */
  private Boolean linkedAtStart;
  private boolean namesakeSought;
  private boolean memberListReadAgain;
  /**
   * Whether the attempt's next write that is read back (a member removal, a group member change
   * whose answer did not show it made) waits for its cycle's {@link RemovalChecks}; the first only.
   */
  private boolean checkedLater = true;
  /** The write that went out and whose check is waited for (null: none). */
  private Awaited<?, ?> awaited;

  /** A held write; an audit row is written even when the rest cannot be (the Fulcrum call happened). */
  private record Held(Database.Work<?> work, boolean audit) {}

  /** {@code claim}: run first in each write for the key (see {@code WorkQueue.stillClaimed}). */
  Attempt(ResourceKey key, Database.Work<?> claim) {
    this.key = key;
    this.claim = claim;
  }

  /** An attempt that only plans (a dry run): it never writes, so it holds no claim. */
  static Attempt planOnly(ResourceKey key) {
    return new Attempt(key, c -> {
      throw new IllegalStateException("a plan-only attempt for " + key + " cannot write");
    });
  }

  /** Writes for the key now, under the claim, and waits for the commit. */
  <T> T write(Database db, Database.Work<T> work) {
    return db.write(claimed(work));
  }

  private <T> Database.Work<T> claimed(Database.Work<T> work) {
    return c -> {
      claim.run(c);
      return work.run(c);
    };
  }

  /** Holds an audit row back for the outcome's transaction, or for the failure's if that fails. */
  void audit(Database.Work<?> work) {
    held.add(new Held(work, true));
  }

  /**
   * Holds back the write of the key's link (and the intent's removal), or of the role it holds for
   * Okta, for the outcome's transaction.
   */
  void linked(Link made, Database.Work<?> work) {
    link = made;
    hold(work);
  }

  /** Holds back a write of the key's state for the outcome's transaction. */
  void hold(Database.Work<?> work) {
    held.add(new Held(work, false));
  }

  /**
   * Starts what is held back: ahead of a write that cannot wait (an intent, an unlink), since one
   * thread's writes commit in the order started, and ahead of another Fulcrum call, so that what
   * this attempt made is linked while the call runs rather than after it.
   */
  void startHeld(Database db) {
    for (Held h : held) {
      Database.Work<?> work = h.audit() ? h.work() : claimed(h.work());
      started.add(db.writeLater(work));
    }
    held.clear();
    // Where a started write already ended (PostgreSQL runs it here), a claim it found lost stops
    // the reconcile before its next call; elsewhere the outcome's transaction finds it.
    for (CompletableFuture<?> write : started) {
      if (write.isCompletedExceptionally() && cause(write.handle((done, failure) -> failure).join()) instanceof ClaimLost lost) {
        throw lost;
      }
    }
  }

  /** What made a write fail: the exception itself, not the CompletionException a future wraps it in. */
  static Throwable cause(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  /**
   * A write of the key's link was waited for: everything this attempt started before it has
   * committed (or failed, which fails the outcome), so the key's link is read from the database again.
   */
  void caughtUp() {
    link = null;
    recorded = null;
  }

  /**
   * What the database held for the key when this round of the reconcile first asked, read by
   * {@code read} then; every question of the round (idle, plan, the owner's namesake) gets the
   * same answer. Writes that change it happen only when a plan is applied, which ends the round.
   */
  Recorded recorded(Supplier<Recorded> read) {
    if (recorded == null) {
      recorded = read.get();
      if (linkedAtStart == null) {
        linkedAtStart = recorded.link() != null;
      }
    }
    return recorded;
  }

  /** Whether the key had a link when this attempt first read it; false before it has. */
  boolean linkedAtStart() {
    return Boolean.TRUE.equals(linkedAtStart);
  }

  /** A plan was applied: the next round reads what the database holds for the key again. */
  void roundApplied() {
    recorded = null;
  }

  /**
   * True the first time only: the member list is read a second time in this reconcile, to confirm
   * that a member the first read did not show is not in Fulcrum (a list read over several pages can
   * miss one).
   */
  boolean memberListReadAgain() {
    boolean first = !memberListReadAgain;
    memberListReadAgain = true;
    return first;
  }

  /**
   * True the first time only: a removal that found its member already gone has the member list read
   * again to look for a namesake invited by hand, at most once per reconcile.
   */
  boolean seekNamesakeOnce() {
    boolean first = !namesakeSought;
    namesakeSought = true;
    return first;
  }

  /** Whether the write at hand waits for its cycle's check rather than being read back by id now. */
  boolean checkedLater() {
    return checkedLater;
  }

  /** A write of {@code kind} went out: the reconcile stops until the check; any later one is read back at once. */
  <S> void sent(ReadBack<S, ?> kind, S sent) {
    awaited = new Awaited<>(kind, sent);
    checkedLater = false;
  }

  /** The write waiting for its check; null when none went out. */
  Awaited<?, ?> awaited() {
    return awaited;
  }

  /**
   * What the check found for the write of {@code kind} to {@code id}, once: the reconcile has gone on
   * with it.
   */
  <F> Optional<F> takeFound(ReadBack<?, F> kind, String id) {
    if (awaited == null || awaited.kind != kind) {
      return Optional.empty();
    }
    @SuppressWarnings("unchecked") // of the same kind: what it finds is an F
    Awaited<?, F> same = (Awaited<?, F>) awaited;
    return same.take(id);
  }

  /** A write of {@code kind} that went out ({@code sent}), and what its check found until taken. */
  static final class Awaited<S, F> {
    final ReadBack<S, F> kind;
    private final S sent;
    private F found;

    private Awaited(ReadBack<S, F> kind, S sent) {
      this.kind = kind;
      this.sent = sent;
    }

    /** Reads back the write: in the list read again ({@code listed}), or by id, or not: the list's read failed. */
    void find(Observer observer, Attempt attempt, boolean listed, RuntimeException listFailed) {
      found = listFailed != null ? kind.listFailed(sent, listFailed)
          : listed ? kind.inList(observer, attempt, sent) : kind.byId(observer, sent);
    }

    /** The write was not read back ({@code why}): its reconcile fails it, retried. */
    void notChecked(String why) {
      found = kind.notChecked(sent, why);
    }

    private Optional<F> take(String id) {
      F taken = found;
      if (taken == null || !kind.id(sent).equals(id)) {
        return Optional.empty();
      }
      found = null;
      return Optional.of(taken);
    }
  }

  /** Another key that what this reconcile saw in Fulcrum concerns (queued with the outcome). */
  void alsoDue(ResourceKey other) {
    alsoDue.add(other);
  }

  Set<ResourceKey> alsoDue() {
    return Set.copyOf(alsoDue);
  }

  /** Fulcrum group {@code groupId} listed a member this reconcile removed from the organization. */
  void groupLeft(String groupId) {
    groupsLeft.add(groupId);
  }

  /** The Fulcrum groups that listed the members this reconcile removed, as the group list at hand had them. */
  Set<String> groupsLeft() {
    return Set.copyOf(groupsLeft);
  }

  /** The link this attempt made, or whose role it changed, and the database may not show yet. */
  Optional<Link> pendingLink() {
    return Optional.ofNullable(link);
  }

  /** What this attempt left to write: writes already started, and the work held for the outcome. */
  Unwritten unwritten() {
    List<Held> rest = List.copyOf(held);
    return new Unwritten(CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)),
        writing(rest), writing(rest.stream().filter(Held::audit).toList()));
  }

  private static Database.Work<Void> writing(List<Held> works) {
    return c -> {
      for (Held h : works) {
        h.work().run(c);
      }
      return null;
    };
  }

  /**
   * {@code started} completes once the writes started during the reconcile committed
   * (exceptionally if one failed); {@code held} is to run in the outcome's transaction, and
   * {@code audits}, its audit rows alone, in the transaction of the failure that replaces the
   * outcome when that cannot commit.
   */
  record Unwritten(CompletableFuture<Void> started, Database.Work<Void> held, Database.Work<Void> audits) {
    static Unwritten none() {
      return new Unwritten(CompletableFuture.completedFuture(null), c -> null, c -> null);
    }
  }
}
