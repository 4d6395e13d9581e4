package com.fulcrumscim.reconcile;

import com.fulcrumscim.journal.MatchKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A copy of one Fulcrum list (members or groups) read with one list call and kept current in place
 * after the reconciler's own writes, so a cycle of many keys reads Fulcrum at most once. It is
 * re-read when older than {@code maxAge}, and after any write whose effect is in doubt or that
 * Fulcrum refused (the copy may be what was wrong). Safe for the loop's parallel workers; the first one to
 * need a load makes the only call.
 */
final class Mirror<T> {
  /**
   * One read of the list: what it showed, and whether it was whole, read in one answer: read over
   * several pages, it may miss an entity that is there ({@link com.fulcrumscim.fulcrum.MemberList#whole}).
   */
  record Read<T>(List<T> all, boolean whole) {}

  /**
   * Which of some ids a copy of the list does not show, with whether the read that copy is was whole
   * and when it began, on the read order the mirrors share ({@link #absentAmong}): one read's facts,
   * never another's lent by a reload meanwhile.
   */
  record Absent(List<String> ids, boolean whole, long readStarted) {
    Absent {
      ids = List.copyOf(ids);
    }
  }

  /**
   * Which read the copy at hand is (its load count) and whether it was whole, asked together
   * ({@link #wholeThroughout}).
   */
  record Copy(long load, boolean whole) {}

  private final Supplier<Read<T>> loader;
  private final Function<T, String> id;
  private final Function<T, String> matchKey;
  private final Clock clock;
  private final Duration maxAge;
  private final Map<String, T> byId = new LinkedHashMap<>();
  private final Map<String, List<String>> idsByKey = new HashMap<>();
  private Instant loadedAt;
  private long loads;
  /** Tells which of two reads came first, this mirror's or another's sharing it ({@link Absent#readStarted}). */
  private final LongSupplier readOrder;
  private long loadStarted;
  private long loadEnded;
  private boolean whole;
  /** When each entity read by id since the list ({@link #putRead}) was read, on {@link #readOrder}. */
  private final Map<String, Long> readById = new HashMap<>();

  Mirror(Supplier<Read<T>> loader, Function<T, String> id, Function<T, String> matchKey, Clock clock, Duration maxAge,
      LongSupplier readOrder) {
    this.loader = loader;
    this.readOrder = readOrder;
    this.id = id;
    this.matchKey = matchKey;
    this.clock = clock;
    this.maxAge = maxAge;
  }

  static String key(String s) {
    return MatchKey.of(s);
  }

  /** Reads Fulcrum unless a copy younger than maxAge is at hand. */
  synchronized void ensure() {
    Instant now = clock.instant();
    if (loadedAt != null && loadedAt.plus(maxAge).isAfter(now)) {
      return;
    }
    long started = readOrder.getAsLong();
    Read<T> read = loader.get();
    byId.clear();
    idsByKey.clear();
    readById.clear();
    read.all().forEach(this::index);
    loadedAt = now;
    loads++;
    loadStarted = started;
    loadEnded = readOrder.getAsLong();
    whole = read.whole();
  }

  /** The copy at hand; one dropped ({@link #invalidate}) but not yet read again is still it. */
  synchronized Copy copy() {
    return new Copy(loads, whole);
  }

  /**
   * Whether lookups made one by one since {@code read} was taken all saw that one read, and it was
   * whole: asking only whether the list at hand is whole, a reload by another worker meanwhile could
   * lend its wholeness to an absence the reload before it, over several pages, gave (review-s11d G1's shape).
   */
  synchronized boolean wholeThroughout(Copy read) {
    return read.whole() && read.load() == loads;
  }

  /**
   * Those of {@code ids} the copy at hand does not show, looked up under one hold of the lock with
   * its read's wholeness and start: asked one by one, a reload by another worker between the steps
   * could pair one read's wholeness and start with another's misses (review-s11d G1).
   */
  synchronized Absent absentAmong(Collection<String> ids) {
    return new Absent(ids.stream().distinct().filter(entityId -> !byId.containsKey(entityId)).toList(), whole, loadStarted);
  }

  /**
   * When the copy at hand of {@code entityId} was read, at the latest: its read by id, else the list
   * read's end. An edit after the bridge's own write ({@link #put}) is no read and does not count.
   */
  synchronized long readEnded(String entityId) {
    return readById.getOrDefault(entityId, loadEnded);
  }

  synchronized long loads() {
    return loads;
  }

  /** How many entities the copy at hand holds (the last list read, kept current). */
  synchronized int size() {
    return byId.size();
  }

  synchronized void invalidate() {
    loadedAt = null;
  }

  synchronized Optional<T> get(String entityId) {
    return Optional.ofNullable(byId.get(entityId));
  }

  synchronized List<T> matching(String raw) {
    List<T> out = new ArrayList<>();
    for (String entityId : idsByKey.getOrDefault(key(raw), List.of())) {
      out.add(byId.get(entityId));
    }
    return out;
  }

  synchronized Optional<T> find(java.util.function.Predicate<T> test) {
    return byId.values().stream().filter(test).findFirst();
  }

  synchronized List<T> filter(java.util.function.Predicate<T> test) {
    return byId.values().stream().filter(test).toList();
  }

  synchronized void put(T entity) {
    remove(id.apply(entity));
    index(entity);
  }

  /** {@link #put} for {@code entity} as a read by id just answered it. */
  synchronized void putRead(T entity) {
    put(entity);
    readById.put(id.apply(entity), readOrder.getAsLong());
  }

  synchronized void remove(String entityId) {
    T old = byId.remove(entityId);
    if (old != null) {
      idsByKey.getOrDefault(key(matchKey.apply(old)), new ArrayList<>()).remove(entityId);
    }
  }

  synchronized void replaceAll(UnaryOperator<T> change) {
    new ArrayList<>(byId.values()).forEach(e -> put(change.apply(e)));
  }

  private void index(T entity) {
    String entityId = id.apply(entity);
    byId.put(entityId, entity);
    idsByKey.computeIfAbsent(key(matchKey.apply(entity)), k -> new ArrayList<>()).add(entityId);
  }
}
