package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.journal.DesiredGroup;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the planner knows about one group key. Null means absent, as in {@link UserState}.
 * {@code sameName}: unlinked Fulcrum groups with the desired name. {@code memberIds}: SCIM user id
 * to linked membership id. {@code leaving}: the linked group's members whose users are going and whose
 * own removal is queued or running (it takes them out of every group). {@code pending}: SCIM users not in Fulcrum yet whose
 * push is queued or running (not one retrying after a failure). {@code managedMembers}: the linked group's members that a link ties to
 * a SCIM user, so none can be a pending user's; read only while some user is pending.
 * {@code madeForIt}: the id of the unlinked same-name group the audit shows the bridge made for
 * this key, when no link or create in doubt names one (its link was lost). {@code notInOrganization}:
 * the linked group's listed ids that a member read made after the group's shows are not members
 * (a deleted member's id the group goes on listing), and linked members the organization no longer
 * has: nothing to take away, and Fulcrum refuses a change that names one.
 */
public record GroupState(
    String scimId,
    DesiredGroup desired,
    Link link,
    FulcrumGroup linked,
    List<FulcrumGroup> sameName,
    Intent intent,
    Map<String, String> memberIds,
    Set<String> leaving,
    Set<String> pending,
    Set<String> managedMembers,
    String madeForIt,
    Set<String> notInOrganization) {}
