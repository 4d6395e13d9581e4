package com.fulcrumscim.resync;

import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says loudly what an apply's check finds still drifting right after resync's own fix. Counted
 * only as "remaining" at INFO, a change Fulcrum answered without making was sent again every night
 * and nobody saw it: a person kept a group the reconciler had recorded as left. A key whose fix the
 * reconciler recorded done is an ERROR (nothing retries it before the next resync); one whose fix is
 * still failing is a WARN naming its row's state and reason (the row itself goes DEAD at the end of
 * its budget). An orphan that a read by id found gone, yet the member or group list read after it
 * still shows, is an ERROR too: Fulcrum answers 404 for it by id while listing it.
 */
final class StillDrifting {
  private static final Logger log = LoggerFactory.getLogger(Resync.class);

  private StillDrifting() {}

  /**
   * {@code queued}: the keys resync handed to the reconciler; {@code goneById}: the orphans a read by
   * id found gone; {@code after}: what the check after the fixes found; {@code queue}: the work rows.
   */
  static void say(List<ResourceKey> queued, Set<String> goneById, List<KeyDrift> after, WorkQueue queue) {
    for (KeyDrift k : after) {
      if (k.rows().isEmpty()) {
        continue;
      }
      if (k.orphan() != null) {
        if (goneById.contains(k.orphan().fulcrumId())) {
          log.error("resync: Fulcrum lists orphan {} {} ({}) but answers 404 for it by id: read back by id as gone, it is"
              + " still in the list read after; it keeps access until Fulcrum answers by id again or it is removed by hand",
              k.orphan().type().name().toLowerCase(java.util.Locale.ROOT), k.orphan().label(), k.orphan().fulcrumId());
        }
        continue;
      }
      // a collision or a wait is reported as it was found: no fix of resync's was to end it
      List<Drift> unfixed = k.rows().stream().filter(d -> d.kind() == Drift.Kind.FIX || d.kind() == Drift.Kind.BLOCKED).toList();
      if (unfixed.isEmpty() || !queued.contains(k.key())) {
        continue;
      }
      Optional<WorkItem> row = queue.get(k.key());
      if (row.isEmpty() || row.get().state() == WorkState.DONE) {
        log.error("resync: {} still drifts right after its fix, which the reconciler recorded as done: {}. Fulcrum took"
            + " the change without making it; nothing tries it again before the next resync", k.key(), lines(unfixed));
      } else {
        log.warn("resync: {} still drifts after its fix ({}); its work row is {}: {}", k.key(), lines(unfixed),
            row.get().state(), row.get().lastError());
      }
    }
  }

  private static String lines(List<Drift> rows) {
    return rows.stream().map(d -> d.entity() + " " + d.field() + ": Fulcrum has " + d.fulcrumHas() + ", Okta wants "
        + d.oktaWants()).collect(Collectors.joining("; "));
  }
}
