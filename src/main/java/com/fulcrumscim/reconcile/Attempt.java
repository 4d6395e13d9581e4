package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.ResourceKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One reconcile of one key. What it writes after a Fulcrum call (the link of what it created or
 * adopted, the audit rows) is held back and committed with the key's outcome, in one transaction
 * the worker does not wait for: a create makes the worker wait for one commit (its intent, which
 * must precede the call) instead of two, and costs two transactions instead of three. A crash
 * before that commit leaves the work row claimed and
 * the intent in place, so the key is reconciled again and the create recognised. Until then only
 * this attempt sees its link; its next plan reads it from here. No one else writes this key's link
 * meanwhile: the key's work row stays claimed until its outcome commits.
 */
final class Attempt {
  final ResourceKey key;
  /** Ids read again from Fulcrum during this reconcile: each doubt is confirmed once. */
  final Set<String> confirmed = new HashSet<>();
  private final List<Database.Work<?>> held = new ArrayList<>();
  private final List<CompletableFuture<?>> started = new ArrayList<>();
  private Link link;

  Attempt(ResourceKey key) {
    this.key = key;
  }

  /** Holds {@code work} back for the outcome's transaction. */
  void later(Database.Work<?> work) {
    held.add(work);
  }

  /** As {@link #later}, for the key's link (and the intent's removal). */
  void linked(Link made, Database.Work<?> work) {
    link = made;
    later(work);
  }

  /**
   * Starts what is held back, ahead of a write that cannot wait (an intent, an unlink): one
   * thread's writes commit in the order started, so nothing commits out of order.
   */
  void startHeld(Database db) {
    for (Database.Work<?> work : held) {
      started.add(db.writeLater(work));
    }
    held.clear();
  }

  /**
   * A write was waited for: every write this attempt started before it has committed too, so the
   * database shows the key's link again.
   */
  void caughtUp() {
    link = null;
  }

  /** The link this attempt made and the database may not show yet. */
  Optional<Link> pendingLink() {
    return Optional.ofNullable(link);
  }

  /** What this attempt left to write: writes already started, and the work held for the outcome. */
  Unwritten unwritten() {
    List<Database.Work<?>> rest = List.copyOf(held);
    return new Unwritten(CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)), c -> {
      for (Database.Work<?> work : rest) {
        work.run(c);
      }
      return null;
    });
  }

  /**
   * {@code started} completes once the writes started during the reconcile committed
   * (exceptionally if one failed); {@code held} is to run in the outcome's transaction.
   */
  record Unwritten(CompletableFuture<Void> started, Database.Work<Void> held) {
    static Unwritten none() {
      return new Unwritten(CompletableFuture.completedFuture(null), c -> null);
    }
  }
}
