package com.fulcrumscim.fulcrum;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Fulcrum's REST API in domain terms (see shared/fulcrum-api.md). Every method is one or more
 * paced HTTP calls; failures are {@link FulcrumException} subtypes that say what the caller may do.
 */
public interface FulcrumClient {
  /*
   * Endpoint labels ("METHOD /api/v2/template", ids left as {id}): what FulcrumException#endpoint()
   * and the call metrics carry. Callers that tell one call from another, or label a failure they
   * make themselves, use these; EndpointLabelsTest holds HttpFulcrumClient to them.
   */
  /** {@link #tokenOwner()}'s label. */
  String TOKEN_OWNER = "GET /api/v2/users.json";
  /** {@link #roles()}'s label. */
  String ROLES_LIST = "GET /api/v2/roles.json";
  /** {@link #members()}'s label. */
  String MEMBERS_LIST = "GET /api/v2/memberships.json";
  /** {@link #deleteMember}'s label. */
  String MEMBER_DELETE = "DELETE /api/v2/memberships/{id}.json";
  /** {@link #deleteGroup}'s label. */
  String GROUP_DELETE = "DELETE /api/v2/groups/{id}.json";
  /** {@link #changeGroupMembers}'s label. */
  String GROUP_MEMBER_CHANGE = "POST /api/v2/groups/change_permissions.json";

  /** {@code GET /users.json}: the user who owns the API token. */
  FulcrumUser tokenOwner();

  /** {@code GET /roles.json}, every page. */
  List<FulcrumRole> roles();

  /** {@code GET /memberships.json?managed_info=1}, every page (20,000 per call). */
  List<FulcrumMember> members();

  /**
   * The member list's first page, one member long: one call, whatever the organization's size, that
   * fails as {@link #members} would when the token's user may not list members (a start-up check, a
   * paused reconciler's probe; what it lists is not kept).
   */
  void readFirstMemberPage();

  /**
   * {@link #members()}, saying whether the read was whole ({@link MemberList#whole}): what a list
   * read over several pages does not show is no proof that Fulcrum has no such member. A client that
   * answers from one copy (resync's snapshot) reads it whole.
   */
  default MemberList memberList() {
    return new MemberList(members(), true);
  }

  /**
   * {@link #members()} but for those whose id is among {@code known}: the same calls, and no second
   * copy of the members a caller already holds (resync reads a list of several pages twice).
   */
  default List<FulcrumMember> membersOtherThan(Set<String> known) {
    return members().stream().filter(m -> !known.contains(m.id())).toList();
  }

  /**
   * {@code GET /memberships/{id}.json}; empty on Fulcrum's own 404 or 410 (an empty or JSON body):
   * the member is not in the organization. This read, not a delete's answer, says a removal is done.
   * A 404 page that is not Fulcrum's (a proxy's HTML or text) is {@link FulcrumException.Unavailable}.
   */
  Optional<FulcrumMember> member(String membershipId);

  /**
   * {@code POST /memberships.json}. Throws {@link FulcrumException.Unavailable} when the member may
   * exist (no answer, or one that did not say which); {@link FulcrumException.Rejected} and
   * {@link FulcrumException.Forbidden} mean Fulcrum refused it and nothing was made.
   */
  FulcrumMember createMember(MemberFields fields);

  /** {@link #updateMember}'s label. */
  String MEMBER_UPDATE = "PUT /api/v2/memberships/{id}.json";

  /**
   * {@code PUT /memberships/{id}.json} with only the non-null fields of {@code changes}. An answer
   * that shows a field sent kept as it was is {@link FulcrumException.Rejected}. Returns whether the
   * answer showed every field sent made (or there was nothing to send); false when it did not say
   * (no body, {@code {}}, a membership without a field sent): a role change by PUT is assumed, not
   * documented, and a 2xx from something in front of Fulcrum may have changed nothing. Only a read
   * of the member after the call can tell then.
   */
  boolean updateMember(String membershipId, MemberFields changes);

  /**
   * {@code DELETE /memberships/{id}.json}; records go to {@code reassignToMembershipId} (null:
   * unassigned). Answers the status of an answer that is Fulcrum's own: a 2xx, or 404 for a 404 or
   * 410 with an empty or JSON body. Fulcrum's 404 says only that it found no entity the request
   * named: the member, or the reassign target (it answers an unknown target so while the member
   * stays). So neither answer proves the member gone: the caller reads it back by id
   * ({@link #member}). A 404 or 410 that is not Fulcrum's is {@link FulcrumException.Unavailable}.
   */
  int deleteMember(String membershipId, String reassignToMembershipId);

  /** {@code GET /groups.json?associations=true}, every page. */
  List<FulcrumGroup> groups();

  /** {@code GET /groups/{id}.json?associations=true}; empty on Fulcrum's own 404 or 410, as {@link #member}. */
  Optional<FulcrumGroup> group(String groupId);

  /** {@code POST /groups.json}; failures mean what {@link #createMember}'s do. */
  FulcrumGroup createGroup(String name, String description);

  /** {@code PUT /groups/{id}.json}. */
  void renameGroup(String groupId, String name);

  /**
   * {@code DELETE /groups/{id}.json}; answers Fulcrum's status as {@link #deleteMember} does, and a
   * 404 proves no more: the caller reads the group back by id ({@link #group}).
   */
  int deleteGroup(String groupId);

  /**
   * {@code POST /groups/change_permissions.json}, type group_members: all or nothing. An answer
   * whose member_ids show the change not made is {@link FulcrumException.Unavailable}. Returns
   * whether the answer showed it made (its member_ids, or nothing to change); false when the answer
   * did not say (no body, {@code {}}, no member_ids): Fulcrum's docs promise no body, and a 2xx
   * from something in front of Fulcrum, or a Fulcrum that read another root key, may have changed
   * nothing. Only a read of the group after the call can tell then.
   */
  boolean changeGroupMembers(String groupId, List<String> addMembershipIds, List<String> removeMembershipIds);

  /**
   * True while the client refuses calls after sustained failure (circuit open), so a caller may
   * skip a cycle instead of failing every item. Clients without a breaker are never open.
   */
  default boolean circuitOpen() {
    return false;
  }
}
