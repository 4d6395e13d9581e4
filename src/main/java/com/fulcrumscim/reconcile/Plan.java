package com.fulcrumscim.reconcile;

import java.util.List;
import java.util.Optional;

/**
 * What one key needs, in order. {@code waitingFor} names the SCIM users this key waits for: for a
 * group, members whose users are not in Fulcrum yet but are still being pushed (their adds wait
 * for a later run); for a user, the leaving user whose member it is to be handed, and {@code
 * waitedMember} that member, which the leaver's plan hands over or removes. {@code leftToRemoval}:
 * a group's Fulcrum members whose users Okta took away and whose own removal from the organization,
 * queued or running, takes them out of every group; the group looks again once it had its turn, and
 * takes out those it left (review-s15d F1). A plan that cannot proceed is {@link #blocked()} and
 * carries no actions: the reconciler records why and writes nothing.
 */
public record Plan(List<Action> actions, List<String> waitingFor, Blocked blocked, String waitedMember,
    List<String> leftToRemoval) {
  /**
   * The desired state cannot be reached by retrying; {@code reason} tells the operator why, and
   * {@code access} what that leaves of a person's access. {@code keptBy}: the Fulcrum member through
   * which a person Okta took away keeps it (null: none named), which the DEAD row records so that a
   * later plan finding another member under the address does not take that one for the leaver's
   * (review-s8g F1). {@code ifMadeForIt}, when not null, is the reason instead should the member in
   * the way be the bridge's own (see {@link IfMadeForIt}).
   */
  public record Blocked(String reason, Access access, String keptBy, IfMadeForIt ifMadeForIt) {
    public Blocked(String reason, Access access) {
      this(reason, access, null, null);
    }

    /** Whether a person Okta deactivated or deleted keeps their access in Fulcrum while it stands. */
    public boolean keepsAccess() {
      return access == Access.KEPT;
    }

    /** Whether what the change would do cannot be told, and so whether someone keeps access cannot either. */
    public boolean accessUnknown() {
      return access == Access.UNKNOWN;
    }
  }

  /**
   * A member with a leaving user's email that no link points to may be the one the bridge made for
   * that very user, its link lost since: then {@code reason} is what the DEAD row says. Only the
   * audit can tell, and no index serves that question, so the plan does not ask it (a resync plans
   * every such user, every night); the reconciler asks once the plan ends the row DEAD.
   */
  public record IfMadeForIt(String memberId, String reason) {}

  /** What a blocked plan leaves of the access of people Okta took away. */
  public enum Access {
    /** Nobody keeps access because of it. */
    NOT_KEPT,
    /**
     * A person Okta deactivated or deleted keeps it while the plan stands: a member the bridge does
     * not manage has their email, or they are the API token's owner.
     */
    KEPT,
    /** Cannot be told: a group whose members Fulcrum leaves out. */
    UNKNOWN
  }

  public Plan {
    actions = List.copyOf(actions);
    waitingFor = List.copyOf(waitingFor);
    leftToRemoval = List.copyOf(leftToRemoval);
    if (blocked != null && !actions.isEmpty()) {
      throw new IllegalArgumentException("a blocked plan has no actions: " + actions);
    }
  }

  public Plan(List<Action> actions, List<String> waitingFor, Blocked blocked) {
    this(actions, waitingFor, blocked, null, List.of());
  }

  public Plan(List<Action> actions, List<String> waitingFor) {
    this(actions, waitingFor, null);
  }

  public static Plan of(Action... actions) {
    return new Plan(List.of(actions), List.of());
  }

  /** This plan without its first {@code applied} actions: what is left of it once those went through. */
  public Plan after(int applied) {
    return new Plan(actions.subList(applied, actions.size()), waitingFor, blocked, waitedMember, leftToRemoval);
  }

  public static Plan blocked(String reason) {
    return new Plan(List.of(), List.of(), new Blocked(reason, Access.NOT_KEPT));
  }

  /**
   * Blocked, and the person Okta took away keeps access meanwhile ({@link Blocked#keepsAccess})
   * through Fulcrum member {@code keptBy}.
   */
  public static Plan blockedKeepingAccess(String reason, String keptBy) {
    return new Plan(List.of(), List.of(), new Blocked(reason, Access.KEPT, keptBy, null));
  }

  /**
   * Blocked on a member the person Okta took away keeps, which may be the bridge's own: {@code
   * ifMadeForIt} says which member and what the reason is then.
   */
  public static Plan blockedKeepingAccess(String reason, IfMadeForIt ifMadeForIt) {
    return new Plan(List.of(), List.of(), new Blocked(reason, Access.KEPT, ifMadeForIt.memberId(), ifMadeForIt));
  }

  /** Blocked where what the change would take away cannot be told ({@link Blocked#accessUnknown}). */
  public static Plan blockedNotKnowingAccess(String reason) {
    return new Plan(List.of(), List.of(), new Blocked(reason, Access.UNKNOWN));
  }

  /** Nothing to do until user {@code leaver} has handed over or removed Fulcrum member {@code memberId}. */
  public static Plan waitingForLeaver(String leaver, String memberId) {
    return new Plan(List.of(), List.of(leaver), null, memberId, List.of());
  }

  /** A linked group's plan: {@code waitingFor} and {@code leftToRemoval} as {@link Plan} says. */
  public static Plan group(List<Action> actions, List<String> waitingFor, List<String> leftToRemoval) {
    return new Plan(actions, waitingFor, null, null, leftToRemoval);
  }

  public static Plan skip(String reason) {
    return of(new Action.Skip(reason));
  }

  public boolean isBlocked() {
    return blocked != null;
  }

  /** Nothing to do and nothing in the way. */
  public boolean isEmpty() {
    return actions.isEmpty() && blocked == null;
  }

  /** Nothing left to change or to wait for: at most refused parts remain. */
  public boolean settled() {
    return !waits() && actions.stream().allMatch(a -> a.kind() == Action.Kind.REFUSE);
  }

  /** The key looks again later, for users still being pushed or for removals still to have their turn. */
  public boolean waits() {
    return !waitingFor.isEmpty() || !leftToRemoval.isEmpty();
  }

  /** Why parts of the change cannot be made, one sentence each; empty when none is refused. */
  public Optional<String> refusals() {
    List<String> reasons = actions.stream().filter(a -> a.kind() == Action.Kind.REFUSE)
        .map(a -> ((Action.Refuse) a).reason()).toList();
    return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
  }

  /** A create's result must be seen before the rest can be planned. */
  public boolean creates() {
    return actions.stream().anyMatch(a -> a.kind() == Action.Kind.CREATE_MEMBER || a.kind() == Action.Kind.CREATE_GROUP);
  }

  public boolean removesMember() {
    return removedMember().isPresent();
  }

  /** The Fulcrum member the plan removes; empty when it removes none. */
  public Optional<String> removedMember() {
    return actions.stream().filter(a -> a instanceof Action.RemoveMember).map(a -> ((Action.RemoveMember) a).memberId())
        .findFirst();
  }

  /**
   * Okta names no role any more and the bridge stops holding the one it gave: the member gets the
   * default role if it still has that one (the plan's update sends it), else keeps its own.
   */
  public boolean dropsOktaRole() {
    return actions.stream().anyMatch(a -> a instanceof Action.RememberRole r && r.roleId() == null);
  }

  /**
   * The update that takes a role back to the default ({@link Action.UpdateMember#takesRoleBack}):
   * what the mass-removal guard counts as a role take-back. Empty when the plan demotes nobody.
   */
  public Optional<Action.UpdateMember> roleTakeBack() {
    return actions.stream().filter(a -> a instanceof Action.UpdateMember u && u.takesRoleBack())
        .map(a -> (Action.UpdateMember) a).findFirst();
  }

  /** Takes access away: removes a member, deletes a group or takes members out of one. */
  public boolean takesAccessAway() {
    return removesMember() || actions.stream().anyMatch(a -> a.kind() == Action.Kind.DELETE_GROUP
        || a instanceof Action.ChangeGroupMembers c && !c.remove().isEmpty());
  }

  /**
   * Is a deprovisioning: takes access away, leaves people Okta took away in the group until their own
   * removal goes ({@link #leftToRemoval}: should the group's row end DEAD meanwhile, nothing else
   * takes them out, review-s16d F1), or is blocked where it would, leaving the person Okta took away
   * their access ({@link Blocked#keepsAccess}).
   */
  public boolean deprovisions() {
    return takesAccessAway() || !leftToRemoval.isEmpty() || blocked != null && blocked.keepsAccess();
  }
}
