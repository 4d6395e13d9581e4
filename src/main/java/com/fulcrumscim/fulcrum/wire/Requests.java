package com.fulcrumscim.fulcrum.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Request bodies, exactly as Fulcrum expects them (snake_case through {@link Wire}). */
public final class Requests {
  private Requests() {}

  /** {@code {"membership":{email, first_name, last_name, role_id}}}; null fields are left out. */
  public record MembershipBody(Membership membership) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Membership(String email, String firstName, String lastName, String roleId) {}

  /** {@code {"membership":{"reassign_to_membership_id":…}}}; null is sent as null, on purpose. */
  public record RemoveMembershipBody(Reassign membership) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Reassign(String reassignToMembershipId) {}

  /** {@code {"group":{name, description}}}; null fields are left out. */
  public record GroupBody(Group group) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Group(String name, String description) {}

  /** {@code {"change":{"type":"group_members","group_id":…,"add":[…],"remove":[…]}}}. */
  public record ChangeBody(Change change) {}

  public record Change(String type, String groupId, List<String> add, List<String> remove) {
    public static Change groupMembers(String groupId, List<String> add, List<String> remove) {
      return new Change("group_members", groupId, List.copyOf(add), List.copyOf(remove));
    }
  }
}
