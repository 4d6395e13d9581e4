package com.fulcrumscim.scim;

import com.fulcrumscim.journal.EntityType;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Where the next page of a creation-order walk starts: after serving startIndex s with n rows
 * ending at seq L, startIndex s+n continues after seq L, so Okta's sequential import reads each
 * page by keyset however deep it is.
 *
 * <p>A cursor is only a guess, kept in this node's memory: a delete, on any node sharing the
 * database, shifts every later position, and no node hears of another's deletes. So each cursor
 * also records the snapshot it was made in ({@code total} rows, the highest seq {@code maxSeq}),
 * and {@link ResourceLister} uses it only after checking against its own snapshot that none of
 * those rows has gone since.
 */
final class PageCursors {
  private static final int MAX_CURSORS = 10_000;

  private record Key(EntityType type, long startIndex) {}

  /** Continue after seq {@code afterSeq}; made when the table held {@code total} rows, none above {@code maxSeq}. */
  record Cursor(long afterSeq, long total, long maxSeq) {}

  private final ConcurrentMap<Key, Cursor> cursors = new ConcurrentHashMap<>();

  Optional<Cursor> at(EntityType type, long startIndex) {
    return Optional.ofNullable(cursors.get(new Key(type, startIndex)));
  }

  void remember(EntityType type, long startIndex, Cursor cursor) {
    if (cursors.size() >= MAX_CURSORS) {
      cursors.clear();
    }
    cursors.put(new Key(type, startIndex), cursor);
  }
}
