package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A group member change is done only once a read made after it shows the people it added in the
 * group and those it took out not. Fulcrum's answer shows it at no extra call when it carries the
 * group's member_ids ({@link FulcrumClient#changeGroupMembers}); without them (the docs promise no
 * body, a proxy's {@code {}}, a Fulcrum reading another root key than the one sent: contract 5.3)
 * a 2xx may have changed nothing. Taken as done, a person taken out would keep the group's access,
 * and one added would never get it: no later plan sends again what the mirror shows made, and the
 * nightly resync's fix is the same no-op again. Such a change is read back: with the cycle's
 * others in one read of the group list ({@link RemovalChecks}), or by id.
 */
final class GroupChangeCheck implements ReadBack<GroupChangeCheck.Sent, GroupChangeCheck.Found> {
  static final GroupChangeCheck KIND = new GroupChangeCheck();

  private GroupChangeCheck() {}

  /**
   * A member change sent to group {@code groupId} ({@code name}: as the mirror had it, for messages)
   * {@code at}, whose answer did not show {@code added} in it and {@code removed} out of it.
   */
  record Sent(String groupId, String name, List<String> added, List<String> removed, Instant at) {
    Sent {
      added = List.copyOf(added);
      removed = List.copyOf(removed);
    }
  }

  /**
   * What a read after the change found: the group (empty: gone, and so no one is in it), or why it
   * could not read; whether it was read in the group list.
   */
  record Found(Sent sent, Optional<FulcrumGroup> group, RuntimeException failure, boolean listed) {
    /**
     * Returns when every added member is in the group and none of the removed ones; else throws the
     * retryable failure ({@code then}: what happens next), or the read's own.
     */
    void confirm(String then) {
      if (failure instanceof FulcrumException) {
        throw failure;
      }
      if (failure != null) {
        throw notReadBack(sent, "the read failed: " + failure, then);
      }
      FulcrumGroup g = group.orElse(null);
      if (g != null && !g.membersKnown()) {
        throw notReadBack(sent, "Fulcrum answered the group without its member_ids", then);
      }
      // a set: the first push of a big group adds thousands
      Set<String> listedNow = g == null ? Set.of() : new HashSet<>(g.memberIds());
      String how = listed ? "read back in the group list" : "read back by id";
      List<String> wrong = new ArrayList<>();
      List<String> kept = sent.removed().stream().filter(listedNow::contains).toList();
      if (!kept.isEmpty()) {
        wrong.add("still lists " + FulcrumException.someIds(kept) + " (removed; " + how + ")");
      }
      List<String> missing = sent.added().stream().filter(id -> !listedNow.contains(id)).toList();
      if (!missing.isEmpty()) {
        wrong.add((g == null ? "no longer has the group, which was to list " : "does not list ")
            + FulcrumException.someIds(missing) + " (added; " + how + ")");
      }
      if (!wrong.isEmpty()) {
        throw new FulcrumException.Unavailable(FulcrumClient.GROUP_MEMBER_CHANGE, "Fulcrum accepted the member change of "
            + entity(sent) + " but " + String.join(" and ", wrong) + "; " + then, null);
      }
    }
  }

  @Override
  public String write() {
    return "member change";
  }

  @Override
  public String id(Sent sent) {
    return sent.groupId();
  }

  /**
   * The group list once (after all the changes) when it takes fewer calls than reading each group by
   * id. Unlike the member list, its pages cannot make a change look done: a group the list does not
   * show is read by id ({@link #inList}).
   */
  @Override
  public boolean listed(Observer observer, int count) {
    return observer.groupListCalls() < count;
  }

  @Override
  public boolean relist(Observer observer) {
    observer.rereadGroupList();
    return true;
  }

  /**
   * In the group list read after the change; a group it does not show (deleted, or moved to a page
   * already read) or shows without its members is read by id, so the list's pages cannot make a
   * change look done.
   */
  @Override
  public Found inList(Observer observer, Attempt attempt, Sent sent) {
    Optional<FulcrumGroup> g = observer.groups.get(sent.groupId());
    return g.isPresent() && g.get().membersKnown() ? new Found(sent, g, null, true) : byId(observer, sent);
  }

  @Override
  public Found byId(Observer observer, Sent sent) {
    try {
      return new Found(sent, observer.rereadGroup(sent.groupId()), null, false);
    } catch (RuntimeException e) {
      return new Found(sent, Optional.empty(), e, false);
    }
  }

  @Override
  public Found listFailed(Sent sent, RuntimeException failure) {
    return new Found(sent, Optional.empty(), failure, true);
  }

  /** It fails as not read back: the reconcile fails, retried within its budget. */
  @Override
  public Found notChecked(Sent sent, String why) {
    return new Found(sent, Optional.empty(), notReadBack(sent, why, NOT_MADE), false);
  }

  private static FulcrumException.Unavailable notReadBack(Sent sent, String why, String then) {
    return new FulcrumException.Unavailable(FulcrumClient.GROUP_MEMBER_CHANGE, "Fulcrum accepted the member change of "
        + entity(sent) + ", " + changing(sent) + ", and it was not read back (" + why + "); " + then, null);
  }

  /** What the change was to do, for messages: "adding ...", "removing ..." or both. */
  private static String changing(Sent sent) {
    List<String> parts = new ArrayList<>();
    if (!sent.added().isEmpty()) {
      parts.add("adding " + FulcrumException.someIds(sent.added()));
    }
    if (!sent.removed().isEmpty()) {
      parts.add("removing " + FulcrumException.someIds(sent.removed()));
    }
    return String.join(" and ", parts);
  }

  private static String entity(Sent sent) {
    return "group " + sent.groupId() + (sent.name() == null ? "" : " (" + sent.name() + ")");
  }
}
