package com.fulcrumscim.fulcrum;

import java.util.List;

/** {@code memberIds} are membership ids (from {@code associations=true}). */
public record FulcrumGroup(String id, String name, String description, List<String> memberIds) {
  /** The description the bridge gives every group it creates: how resync recognises its own orphans. */
  public static final String BRIDGE_MARKER = "Provisioned by fulcrum-scim";

  public FulcrumGroup {
    memberIds = memberIds == null ? List.of() : List.copyOf(memberIds);
  }
}
