package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Held removals whose member is gone from Fulcrum, removed by hand before or after the hold (review-s16a
 * F3, review-s17c F1, F2): held, the operator was asked to approve a change with nothing left to change,
 * and the held count and its alert grew by it. They are found on the member list the bridge reads anyway
 * (a plan's, once the copy is older than its maximum age; the resync's), once per read of it, never by a
 * read at each hold: a trickled storm of N holds would cost N reads. A held member that list does not
 * show is read again, by id when it is the only one, else with the whole list, so that two reads agree
 * before its row is made due (a list over several pages may miss a member; a proxy's HTML 404 is a failure,
 * not a "gone"). Its plan then confirms the absence as any plan's doubt is, and ends the row DONE with
 * UNLINK "already gone", or holds it again should the member be there. A failed read leaves every hold
 * standing. Role take-backs are left held: a take-back whose member is gone plans a new invitation
 * (with the default role), which stays the operator's call during a storm that suggests a broken mapping.
 */
final class GoneHolds {
  private static final Logger log = LoggerFactory.getLogger(GoneHolds.class);
  private final Observer observer;
  private final RemovalGuard guard;
  private final WorkQueue queue;
  /** The member list read last looked at: the next read is looked at once. */
  private long lookedAtLoad = -1;

  GoneHolds(Observer observer, RemovalGuard guard, WorkQueue queue) {
    this.observer = observer;
    this.guard = guard;
    this.queue = queue;
  }

  /** Makes due the held removals whose member a member list read since the last look no longer shows; returns how many. */
  synchronized int release() {
    long load = observer.members.loads();
    if (load == lookedAtLoad || load == 0) {
      return 0;
    }
    lookedAtLoad = load;
    Map<String, String> userByMember = guard.held().stream().filter(h -> h.memberId() != null)
        .collect(Collectors.toMap(RemovalGuard.Held::memberId, RemovalGuard.Held::userId, (a, b) -> a));
    List<String> absent = observer.members.absentAmong(userByMember.keySet()).ids();
    if (absent.isEmpty()) {
      return 0;
    }
    Set<String> takeBacks = guard.takeBacks(absent.stream().map(userByMember::get).toList());
    List<String> removals = absent.stream().filter(m -> !takeBacks.contains(userByMember.get(m))).toList();
    if (removals.isEmpty()) {
      return 0;
    }
    try {
      if (removals.size() == 1) {
        observer.rereadMember(removals.get(0));
      } else {
        observer.rereadMemberList();
      }
    } catch (FulcrumException e) {
      // this read only spares the operator an approval: failed, the holds stand as they were
      log.warn("could not read Fulcrum again to check {} held removals whose member its list no longer shows (they stay"
          + " held, and are looked at again at the next member list read): {}", removals.size(), e.getMessage());
      return 0;
    }
    lookedAtLoad = observer.members.loads(); // the confirming read is looked at here, not again
    int released = 0;
    for (String member : removals) {
      ResourceKey key = ResourceKey.user(userByMember.get(member));
      if (observer.members.get(member).isEmpty() && queue.revive(key, WorkState.HELD) > 0) {
        log.info("{}: Fulcrum member {}, whose removal was held, is gone from Fulcrum (removed by hand?): planned again,"
            + " to end without an approval", key, member);
        released++;
      }
    }
    return released;
  }
}
