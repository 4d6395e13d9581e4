package com.fulcrumscim.resync;

import com.fulcrumscim.journal.ResourceKey;
import java.util.List;

/**
 * Everything resync found for one key; {@code fixable}: queueing it lets the reconciler close the
 * gap. For an {@code orphan} (null otherwise) {@code key} is what it was created for, and fixable
 * means resync removes it itself: no work row's reconcile would touch an entity no link points to.
 * {@code removal}: closing the gap takes access away, so the key is queued ahead of other due work.
 * {@code heldRemoval}: closing it would, but the mass-removal guard holds its removal (its row is
 * HELD): the person keeps access until {@code approve-removals}, which status counts as a held removal.
 * {@code managed}: a user or group resync checks (active, linked or pushed), counted as checked; not
 * an orphan, nor a user Okta took away that no link points to, reported only for a member keeping access.
 */
record KeyDrift(ResourceKey key, List<Drift> rows, boolean fixable, Orphan orphan, boolean removal, boolean heldRemoval,
    boolean managed) {
  KeyDrift {
    rows = List.copyOf(rows);
  }

  KeyDrift(ResourceKey key, List<Drift> rows, boolean fixable, Orphan orphan, boolean removal) {
    this(key, rows, fixable, orphan, removal, false, orphan == null);
  }

  /** This finding, of a key resync reports without managing it. */
  KeyDrift reportedOnly() {
    return new KeyDrift(key, rows, fixable, orphan, removal, heldRemoval, false);
  }

  /** Tells this finding from another for the same key (a user and the orphan made for it). */
  String identity() {
    return orphan == null ? key.toString() : "orphan/" + orphan.fulcrumId();
  }
}
