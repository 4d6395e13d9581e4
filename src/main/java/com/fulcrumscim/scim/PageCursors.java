package com.fulcrumscim.scim;

import com.fulcrumscim.journal.EntityType;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the next page of a creation-order walk starts: after serving startIndex s with n rows
 * ending at seq L, startIndex s+n continues after seq L, so Okta's sequential import reads each
 * page by keyset however deep it is. New rows only ever get higher seqs, so inserts keep every
 * cursor valid; a delete shifts positions, so it moves the epoch and forgets them all.
 */
final class PageCursors {
  private static final int MAX_CURSORS = 10_000;

  private record Key(EntityType type, long startIndex) {}

  private record Cursor(long afterSeq, long epoch) {}

  private final Map<EntityType, AtomicLong> epochs = Map.of(EntityType.USER, new AtomicLong(), EntityType.GROUP, new AtomicLong());
  private final ConcurrentMap<Key, Cursor> cursors = new ConcurrentHashMap<>();

  /** Read before the query whose result will be remembered. */
  long epoch(EntityType type) {
    return epochs.get(type).get();
  }

  Optional<Long> afterSeq(EntityType type, long startIndex, long epoch) {
    Cursor c = cursors.get(new Key(type, startIndex));
    return c != null && c.epoch() == epoch ? Optional.of(c.afterSeq()) : Optional.empty();
  }

  void remember(EntityType type, long startIndex, long afterSeq, long epoch) {
    if (cursors.size() >= MAX_CURSORS) {
      cursors.clear();
    }
    cursors.put(new Key(type, startIndex), new Cursor(afterSeq, epoch));
  }

  /** Call after a delete commits. */
  void rowsRemoved(EntityType type) {
    epochs.get(type).incrementAndGet();
    cursors.keySet().removeIf(k -> k.type() == type);
  }
}
