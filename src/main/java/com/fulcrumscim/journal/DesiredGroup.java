package com.fulcrumscim.journal;

import java.util.List;

/** A group as Okta wants it, read from scim_group and scim_group_member. */
public record DesiredGroup(String id, String displayName, List<Member> members) {
  public DesiredGroup {
    members = List.copyOf(members);
  }

  /** A listed member; {@code email} and {@code active} are null/false when the user row is gone. */
  public record Member(String userId, String email, boolean active) {}
}
