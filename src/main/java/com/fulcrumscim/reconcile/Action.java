package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.MemberFields;
import java.util.List;

/**
 * One step of a {@link Plan}. Steps that change Fulcrum name the Fulcrum id they touch; the id is
 * always a linked one (or a member the plan links first), never an unmanaged entity's.
 * {@link #kind()} gives Java 17 an exhaustive switch.
 */
public sealed interface Action {
  enum Kind {
    CREATE_MEMBER, UPDATE_MEMBER, REMOVE_MEMBER, CREATE_GROUP, RENAME_GROUP, DELETE_GROUP,
    CHANGE_GROUP_MEMBERS, LINK, UNLINK, HAND_OVER, REMEMBER_ROLE, SKIP, REFUSE
  }

  Kind kind();

  /** {@code POST /memberships.json}; the new member is linked as CREATED. */
  record CreateMember(MemberFields fields) implements Action {
    public Kind kind() {
      return Kind.CREATE_MEMBER;
    }
  }

  /**
   * {@code PUT /memberships/{id}.json} with only the fields that differ. {@code takesRoleBack}: the
   * role it sends is the default, because Okta names no role any more and the member still has the
   * one the bridge gave ({@link Planner}); the mass-removal guard counts and holds these as role
   * take-backs. A role Okta names is never one.
   */
  record UpdateMember(String memberId, MemberFields changes, boolean takesRoleBack) implements Action {
    public UpdateMember(String memberId, MemberFields changes) {
      this(memberId, changes, false);
    }

    public Kind kind() {
      return Kind.UPDATE_MEMBER;
    }
  }

  /** {@code DELETE /memberships/{id}.json}; records go to {@code reassignTo} (null: unassigned). */
  record RemoveMember(String memberId, String reassignTo) implements Action {
    public Kind kind() {
      return Kind.REMOVE_MEMBER;
    }

    /**
     * Where the records of {@code memberId} went, for its audit row: to {@code used}, else why they
     * stayed unassigned although users.reassign_records_to is {@code configured}.
     */
    public static String records(String memberId, String used, String configured) {
      return used != null ? "records to " + used
          : configured == null ? "records unassigned"
          : memberId.equals(configured) ? "records unassigned: users.reassign_records_to names this member itself"
          : targetGone(configured);
    }

    /** The audit detail of a removal whose records stayed unassigned because {@code configured} had left. */
    public static String targetGone(String configured) {
      return "records unassigned: users.reassign_records_to names " + configured + ", no longer in the organization";
    }
  }

  /** {@code POST /groups.json}; the new group is linked as CREATED. */
  record CreateGroup(String name) implements Action {
    public Kind kind() {
      return Kind.CREATE_GROUP;
    }
  }

  record RenameGroup(String groupId, String name) implements Action {
    public Kind kind() {
      return Kind.RENAME_GROUP;
    }
  }

  record DeleteGroup(String groupId) implements Action {
    public Kind kind() {
      return Kind.DELETE_GROUP;
    }
  }

  /** One all-or-nothing {@code change_permissions} call with the net membership change. */
  record ChangeGroupMembers(String groupId, List<String> add, List<String> remove) implements Action {
    public ChangeGroupMembers {
      add = List.copyOf(add);
      remove = List.copyOf(remove);
    }

    public Kind kind() {
      return Kind.CHANGE_GROUP_MEMBERS;
    }
  }

  /**
   * Ties the key to {@code fulcrumId}: from now on the bridge manages it. {@code replaces}, when
   * set, is the key's stale link (to a member already gone), dropped in the same transaction as
   * this one goes in, with both audit rows: the key is never left with neither, which a
   * deactivation's replay would take for "nothing to remove". Only an adoption replaces a link.
   */
  record Link(String fulcrumId, Link.Origin origin, Unlink replaces) implements Action {
    public enum Origin { CREATED, ADOPTED }

    public Link {
      if (replaces != null && origin != Origin.ADOPTED) {
        throw new IllegalArgumentException("only an adoption replaces a link: " + fulcrumId);
      }
    }

    public Link(String fulcrumId, Origin origin) {
      this(fulcrumId, origin, null);
    }

    public Kind kind() {
      return Kind.LINK;
    }
  }

  /**
   * Forgets the key's link to {@code fulcrumId} (null: only a create intent) and any create
   * intent: the bridge no longer manages that entity. {@code why} goes to the audit row.
   */
  record Unlink(String fulcrumId, String why) implements Action {
    public Kind kind() {
      return Kind.UNLINK;
    }
  }

  /**
   * Moves the key's link to {@code memberId} to user {@code heir} (a SCIM id) in one transaction,
   * with the role the bridge holds for Okta: a user Okta took away lets go of the member the person
   * it pushed again under {@code heir} is given. No Fulcrum call. {@code why} goes to the key's
   * UNLINK audit row; the heir's LINK row names the key it came from.
   */
  record HandOver(String memberId, String heir, String why) implements Action {
    public Kind kind() {
      return Kind.HAND_OVER;
    }
  }

  /**
   * Records on the user's link the role the bridge now holds for Okta ({@link
   * com.fulcrumscim.reconcile.Link#oktaRoleId}), or none ({@code roleId} null): no Fulcrum call.
   * A role for a linked member comes before the update that gives it and commits at once; after a
   * create, and a record dropped, it commits with the key's outcome (see Applier#rememberRole). It
   * takes the place of an update when the member already has what is wanted.
   */
  record RememberRole(String roleId) implements Action {
    public Kind kind() {
      return Kind.REMEMBER_ROLE;
    }
  }

  /**
   * Policy leaves the key alone on purpose (the token owner's own user): nothing to do, nothing
   * for an operator to fix; {@code reason} is recorded so nobody wonders why.
   */
  record Skip(String reason) implements Action {
    public Kind kind() {
      return Kind.SKIP;
    }
  }

  /**
   * One part of the change cannot be made (a role that does not exist or may not be granted); the
   * plan's other steps still go ahead, and the key then fails visibly with {@code reason}.
   */
  record Refuse(String reason) implements Action {
    public Kind kind() {
      return Kind.REFUSE;
    }
  }
}
