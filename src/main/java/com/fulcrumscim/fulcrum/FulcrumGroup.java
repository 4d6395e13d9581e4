package com.fulcrumscim.fulcrum;

import java.util.List;

/**
 * {@code description} is null when Fulcrum's answer left it out, and empty when the group has none:
 * only an answer that carries it says whether the group bears {@link #BRIDGE_MARKER}.
 * {@code memberIds} are membership ids (from {@code associations=true}). Null means Fulcrum's answer
 * left them out: who is in the group is then unknown ({@link #membersKnown()} false), and
 * {@link #memberIds()} answers an empty list, which must not be taken as "nobody". Only the plan of
 * a group the bridge manages needs its members; it refuses a group whose members are unknown.
 */
public record FulcrumGroup(String id, String name, String description, List<String> memberIds) {
  /** The description the bridge gives every group it creates: how resync recognises its own orphans. */
  public static final String BRIDGE_MARKER = "Provisioned by fulcrum-scim";

  public FulcrumGroup {
    memberIds = memberIds == null ? null : List.copyOf(memberIds);
  }

  /** Whether the answer carried the bridge's marker: the group was made by the bridge's create. */
  public boolean marked() {
    return BRIDGE_MARKER.equals(description);
  }

  /** The members; empty when unknown as well as when there are none: ask {@link #membersKnown()}. */
  @Override
  public List<String> memberIds() {
    return memberIds == null ? List.of() : memberIds;
  }

  /** False when Fulcrum's answer did not say who is in the group. */
  public boolean membersKnown() {
    return memberIds != null;
  }
}
