package com.fulcrumscim.fulcrum;

import java.util.List;

/** {@code memberIds} are membership ids (from {@code associations=true}). */
public record FulcrumGroup(String id, String name, String description, List<String> memberIds) {
  public FulcrumGroup {
    memberIds = memberIds == null ? List.of() : List.copyOf(memberIds);
  }
}
