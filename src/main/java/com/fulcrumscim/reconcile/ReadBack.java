package com.fulcrumscim.reconcile;

/**
 * A kind of write that is done only once a read made after it shows it made: what went out
 * ({@code S}) and what the read found ({@code F}), which the write's reconcile goes on with. The
 * cycle's writes of one kind are read back together ({@link RemovalChecks}): in one read of a list
 * where that tells them and costs fewer calls, else each by id. The kinds: a member removal
 * ({@link MemberRemovalCheck}, the member list), a member PUT whose answer did not show it made
 * ({@link MemberChangeCheck}, the member list too) and a group member change whose answer did not
 * show it made ({@link GroupChangeCheck}, the group list).
 */
interface ReadBack<S, F> {
  /**
   * What follows a change (a member PUT, a group member change) a read found not made: the
   * reconcile fails, and the entity is planned anew while its row is retried. Whether it is, is the
   * row's to say (RETRYING, or DEAD at the end of its budget): a DEAD row's reason said "the change
   * tried again" (review-s10c S5).
   */
  String NOT_MADE = "the change is not taken as made";

  /** The write as a message names it: "DELETE", "member change". */
  String write();

  /** The entity {@code sent} wrote to: the action that goes on with its check names it too. */
  String id(S sent);

  /** Whether the cycle's {@code count} writes of this kind are read back in one list read, by the copy of it at hand. */
  boolean listed(Observer observer, int count);

  /** Reads the list again, after the writes; false when what it read cannot tell them (each is read by id then). */
  boolean relist(Observer observer);

  /**
   * Whether the list {@code earlier}, a kind checked before this one, read again in the same check
   * (after every write of the cycle) shows this kind's writes too: then they are found in it at no
   * call, whatever {@code earlier} could tell from it.
   */
  default boolean readsListOf(ReadBack<?, ?> earlier) {
    return false;
  }

  /** What the list read again shows of {@code sent}, the write of {@code attempt}'s reconcile. */
  F inList(Observer observer, Attempt attempt, S sent);

  /** What a read by id finds of {@code sent}; a failure to read is kept for its reconcile to throw. */
  F byId(Observer observer, S sent);

  /** {@code sent}, whose list read failed ({@code failure}: kept for its reconcile to throw). */
  F listFailed(S sent, RuntimeException failure);

  /** {@code sent}, whose check was not made ({@code why}): its reconcile fails it as not read back, retried. */
  F notChecked(S sent, String why);
}
