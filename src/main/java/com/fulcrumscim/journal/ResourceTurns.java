package com.fulcrumscim.journal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Updates of one resource in this process take turns, in the order they asked: each reads,
 * computes and commits while the others wait, holding no connection and no place in the writer's
 * queue, so none of them finds its work overtaken and computes it again. Updates of other
 * resources go on beside them. A turn orders only this process's updates: another node's, or a
 * user's deletion touching its groups, can still move a resource on meanwhile ({@link Intake}
 * then applies the change inside its write).
 */
final class ResourceTurns {
  private final ConcurrentHashMap<ResourceKey, Turn> turns = new ConcurrentHashMap<>();

  /** One resource's lock; {@code waiting} counts its holder and waiters, and is changed only inside the map's compute. */
  private static final class Turn {
    final ReentrantLock lock = new ReentrantLock(true);
    int waiting;
  }

  /** Runs {@code work} in {@code key}'s turn: after every update of it that asked before. */
  <T> T inTurn(ResourceKey key, Supplier<T> work) {
    Turn turn = turns.compute(key, (k, t) -> {
      Turn joined = t == null ? new Turn() : t;
      joined.waiting++;
      return joined;
    });
    turn.lock.lock();
    try {
      return work.get();
    } finally {
      turn.lock.unlock();
      // the last one out forgets the resource: the map holds only resources being updated
      turns.computeIfPresent(key, (k, t) -> --t.waiting == 0 ? null : t);
    }
  }
}
