package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.DesiredGroup;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.ResourceKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The one diff: desired state plus what Fulcrum has plus the links, to the actions that close the
 * gap. Pure: no I/O, no clock. The reconciler applies its plans; resync prints or applies them.
 * Only linked entities appear in update, remove, rename and delete actions.
 */
public final class Planner {
  /** How a take-back is named wherever it is shown: resync's report, the audit row of its update. */
  public static final String TAKE_BACK = "take back: Okta names no role now, and the bridge gave this one";

  public Plan user(UserState s, PlanContext ctx) {
    DesiredUser d = s.desired();
    if (d == null || !d.active()) {
      return userGone(s, ctx);
    }
    if (s.link() != null && s.linked() != null) {
      return update(s.linked(), d, s.link().oktaRoleId(), ctx);
    }
    List<Action> actions = new ArrayList<>();
    if (s.link() != null) {
      // the linked member is gone from Fulcrum: push the user again
      actions.add(new Action.Unlink(s.link().fulcrumId(), "the linked member is gone from Fulcrum"));
    }
    if (d.email() == null || d.email().isBlank()) {
      return Plan.blocked("user " + d.userName() + " has no email address; Fulcrum members need one");
    }
    FulcrumMember existing = s.byEmail();
    if (existing == null) {
      return create(d, ctx, actions);
    } else if (ctx.isOwner(existing.userId(), existing.email())) {
      return Plan.skip("user " + d.userName() + ": " + existing.email()
          + " is the Fulcrum API token's owner, whose membership the bridge never adopts or changes");
    } else if (s.byEmailLinkedTo() != null) {
      if (s.byEmailLinkedToLeaves()) {
        // Okta took that user away and pushed the person again as this one (or gave this one its
        // member's address): that user's own reconcile hands the member over (userGone), or removes
        // it, and makes this key due. Until then it waits, spending no attempt; DEAD here would name
        // a link about to end, and nothing would retry it. While that user's row waits for an
        // operator (held, DEAD, set aside), so does this one, its reason naming the command
        // (Reconciler.waiting): taking the member over from here would hand an account to whoever is
        // given the address while the hold lasts, months later a different person (review-s4 F1).
        return Plan.waitingForLeaver(s.byEmailLinkedTo(), existing.id());
      }
      return Plan.blocked("user " + d.userName() + ": the Fulcrum member " + existing.email()
          + " is already managed for SCIM user " + s.byEmailLinkedTo());
    } else if (ours(s.intent(), existing.id())) {
      actions.add(new Action.Link(existing.id(), Action.Link.Origin.CREATED));
      // made by the bridge's own create, whose answer was lost: a role Okta named is the bridge's, as on any create
      oktaRole(d, ctx).filter(id -> id.equals(existing.roleId())).ifPresent(id -> actions.add(new Action.RememberRole(id)));
    } else if (s.byEmailLeaver() != null) {
      // The member is a leaver's (invited again by hand, never linked, a link lost) whose removal is
      // queued, held or DEAD, and this user is not that person pushed again (SamePerson): the
      // leaver's plan adopts and removes it, or reports it keeping access. Adopted from here it would
      // hand the leaver's account to whoever is given the address while the hold lasts (review-s6a F1).
      return Plan.waitingForLeaver(s.byEmailLeaver(), existing.id());
    } else if (ctx.adoptExisting()) {
      // A stale link goes in the adoption's own write: unlinked first and stopped there, the user
      // would have no link and no intent, and a deactivation meanwhile would leave the member kept.
      Action.Unlink stale = actions.isEmpty() ? null : (Action.Unlink) actions.remove(0);
      actions.add(new Action.Link(existing.id(), Action.Link.Origin.ADOPTED, stale));
    } else {
      // The row ends DEAD on this: the reason says which member, and that a retry is needed after either fix.
      return Plan.blocked("user " + d.userName() + ": Fulcrum already has a member " + existing.email() + " ("
          + existing.id() + ") that the bridge does not manage; it is left untouched. If it is this person's own"
          + " account, set users.adopt_existing: true to adopt it, or remove it in Fulcrum, then `fulcrum-scim journal"
          + " retry user/" + s.scimId() + "`; if it is someone else's, correct the address in Okta");
    }
    return new Plan(actions, List.of());
  }

  /**
   * A new member gets Okta's role, which the bridge then holds for Okta, or the default role without
   * one. A role that cannot be given does not keep the person out: the member is made with the
   * default role and the role part fails.
   */
  private static Plan create(DesiredUser d, PlanContext ctx, List<Action> actions) {
    RoleTable.Choice asked = ctx.roles().resolve(d.role());
    RoleTable.Choice role = asked instanceof RoleTable.Granted ? asked : ctx.roles().resolve(null);
    if (role instanceof RoleTable.Refused r) {
      return Plan.blocked("user " + d.userName() + ": " + r.reason());
    }
    actions.add(new Action.CreateMember(
        new MemberFields(d.email(), d.givenName(), d.familyName(), ((RoleTable.Granted) role).roleId())));
    if (namesRole(d) && asked instanceof RoleTable.Granted g) {
      actions.add(new Action.RememberRole(g.roleId()));
    }
    if (asked instanceof RoleTable.Refused r) {
      actions.add(refuse(d, r));
    }
    return new Plan(actions, List.of());
  }

  /** The role Okta names for {@code d}, when it names one that may be given. */
  private static Optional<String> oktaRole(DesiredUser d, PlanContext ctx) {
    return namesRole(d) && ctx.roles().resolve(d.role()) instanceof RoleTable.Granted g ? Optional.of(g.roleId()) : Optional.empty();
  }

  private static boolean namesRole(DesiredUser d) {
    return d.role() != null && !d.role().isBlank();
  }

  /**
   * A managed member follows Okta field by field. The token owner's membership is never changed:
   * a replacement token made by a managed admin would otherwise let an Okta edit demote the owner
   * and lock the bridge out. Okta owns the role while it names one. Once it names none, the bridge
   * takes back only what it gave ({@code given}, the link's {@link Link#oktaRoleId}): a member that
   * still has that role gets the default role, once; a role set by hand in Fulcrum since, or one the
   * bridge never gave for Okta, stays, and a new roles.default re-roles nobody.
   */
  private static Plan update(FulcrumMember m, DesiredUser d, String given, PlanContext ctx) {
    if (ctx.isOwner(m.userId(), m.email())) {
      return Plan.skip("user " + d.userName() + " is managed as " + m.email()
          + ", the Fulcrum API token's owner, whose membership the bridge never changes (edit it in Fulcrum)");
    }
    boolean takingBack = !namesRole(d) && given != null;
    RolePart role = namesRole(d) ? oktaNames(m, d, given, ctx) : takingBack ? takeBack(m, d, given, ctx) : RolePart.NONE;
    MemberFields changes = changes(m, d, role.roleId());
    List<Action> actions = new ArrayList<>(role.before());
    if (!changes.isEmpty()) {
      actions.add(new Action.UpdateMember(m.id(), changes, takingBack && changes.roleId() != null));
    }
    actions.addAll(role.after());
    return new Plan(actions, List.of());
  }

  /**
   * The role to send (null: leave it); what goes before the update: the role Okta names remembered,
   * so that a record lost after the update cannot be (on the replay the member already has the role,
   * and would keep it once Okta clears it); and what follows it: the record dropped, or a refusal.
   */
  private record RolePart(String roleId, List<Action> before, List<Action> after) {
    static final RolePart NONE = new RolePart(null, List.of(), List.of());

    static RolePart after(String roleId, Action action) {
      return new RolePart(roleId, List.of(), List.of(action));
    }
  }

  /**
   * Okta names a role. The bridge holds it for Okta from the write that gives it on, and keeps
   * holding what Okta names while it holds any (Okta named the role the member already has).
   */
  private static RolePart oktaNames(FulcrumMember m, DesiredUser d, String given, PlanContext ctx) {
    RoleTable.Choice role = ctx.roles().resolve(d.role());
    if (role instanceof RoleTable.Granted g) {
      boolean holds = given != null || !g.roleId().equals(m.roleId());
      return new RolePart(g.roleId(), holds && !g.roleId().equals(given) ? List.of(new Action.RememberRole(g.roleId())) : List.of(),
          List.of());
    }
    RoleTable.Refused r = (RoleTable.Refused) role;
    // a member who already has that role loses nothing by the refusal
    return Objects.equals(r.roleId(), m.roleId()) ? RolePart.NONE : RolePart.after(null, refuse(d, r));
  }

  /**
   * Okta names no role any more, and the bridge had given one. The member still has it: the default
   * role, and the bridge holds none. It has another, set by hand since: it stays, and the bridge
   * lets go (a later hand change back is the admin's too).
   */
  private static RolePart takeBack(FulcrumMember m, DesiredUser d, String given, PlanContext ctx) {
    Action forget = new Action.RememberRole(null);
    if (!given.equals(m.roleId())) {
      return RolePart.after(null, forget);
    }
    RoleTable.Choice fallback = ctx.roles().resolve(null);
    if (fallback instanceof RoleTable.Granted g) {
      return RolePart.after(g.roleId(), forget);
    }
    return RolePart.after(null, new Action.Refuse("user " + d.userName() + ": Okta names no role any more, so the"
        + " role the bridge gave is to be taken back, but " + ((RoleTable.Refused) fallback).reason()
        + "; the member keeps its role"));
  }

  private static Action.Refuse refuse(DesiredUser d, RoleTable.Refused r) {
    return new Action.Refuse("user " + d.userName() + ": " + r.reason()
        + "; the member keeps its role (a new member gets the default role)");
  }

  private Plan userGone(UserState s, PlanContext ctx) {
    if (s.link() == null) {
      if (s.intent() == null) {
        return neverLinked(s, ctx);
      }
      FulcrumMember made = s.byEmail();
      if (made != null && s.byEmailLinkedTo() == null && ours(s.intent(), made.id())
          && !ctx.isOwner(made.userId(), made.email())) {
        if (s.byEmailClaim() != null) {
          // another user's create may have made it as well as this one's, and an active user is given it
          return Plan.of(new Action.Unlink(null, "a create in doubt; " + why(s) + "; Fulcrum member " + made.id() + " ("
              + made.email() + ") is left in place: it belongs to " + s.byEmailClaim()));
        }
        return Plan.of(new Action.RemoveMember(made.id(), ctx.reassignFor(made.id())),
            new Action.Unlink(made.id(), "removed the member an unfinished create made; " + why(s)));
      }
      return Plan.of(new Action.Unlink(null, "a create that left no member in Fulcrum; " + why(s)));
    }
    FulcrumMember m = s.linked();
    if (m == null) {
      String gone = "the linked member is already gone from Fulcrum; " + why(s);
      FulcrumMember namesake = s.byEmail();
      if (namesake == null) {
        return Plan.of(new Action.Unlink(s.link().fulcrumId(), gone));
      }
      if (ctx.isOwner(namesake.userId(), namesake.email())) {
        return ownerLeft(s, namesake);
      }
      String owner = s.byEmailLinkedTo() != null ? ResourceKey.user(s.byEmailLinkedTo()) + ", which manages it"
          : s.byEmailClaim() != null ? s.byEmailClaim().toString() : null;
      if (owner == null) {
        return s.byEmailNeverItsMembers() ? neverItsMembers(s, namesake) : reinvited(s, namesake, ctx);
      }
      // Another user is being given this person: the member is theirs, not this user's to remove.
      return Plan.of(new Action.Unlink(s.link().fulcrumId(), gone + "; Fulcrum member " + namesake.id() + " ("
          + namesake.email() + ") is left in place: it belongs to " + owner));
    }
    if (ctx.isOwner(m.userId(), m.email())) {
      return ownerLeft(s, m);
    }
    if (s.heir() != null) {
      // Okta pushed the person again under a new id (the heir): the member is handed over, not
      // removed and made again. The person keeps their access, groups and records, and it costs no
      // Fulcrum call; removed, they would be locked out until the heir's create, their records
      // reassigned. The bridge made or adopted the member, so users.adopt_existing has no say.
      return Plan.of(new Action.HandOver(m.id(), s.heir().user().scimId(), why(s) + "; Fulcrum member " + m.id() + " ("
          + m.email() + ") is left in place: handed over to " + s.heir()));
    }
    return Plan.of(new Action.RemoveMember(m.id(), ctx.reassignFor(m.id())),
        new Action.Unlink(m.id(), removed(m, s)));
  }

  /**
   * A user Okta deactivated or deleted that the bridge never linked: its push failed (on a member
   * invited by hand before Okta assigned the email, say), or never ran (a user sent inactive). Nothing of the bridge's is
   * left to remove, yet a member with the user's email (the address it left with, else its current
   * one: {@link UserState#lookedUpBy}) that no other user manages or is being given ({@link
   * EmailClaims}) is that person, who keeps the
   * access Okta took away: ended done, the row would say nothing of it. With users.adopt_existing
   * the member would have been adopted for an active user, so it is adopted and removed; otherwise
   * it is not the bridge's to remove, and the change stays in front of an operator, as for a member
   * invited again by hand ({@link #reinvited}). A member the audit shows the bridge made for this
   * user, whose link was lost, is the bridge's orphan: resync removes it and runs the change again
   * (Resync#settleDeadDeprovisioning), so the reason the row ends DEAD with then says that instead of
   * asking for a hand ({@link Plan.IfMadeForIt}: the reconciler asks the audit, not the plan).
   */
  private static Plan neverLinked(UserState s, PlanContext ctx) {
    FulcrumMember namesake = s.byEmail();
    if (namesake == null) {
      return Plan.of();
    }
    if (ctx.isOwner(namesake.userId(), namesake.email())) {
      return ownerLeft(s, namesake);
    }
    if (s.byEmailLinkedTo() != null || s.byEmailClaim() != null) {
      return Plan.of();
    }
    if (s.byEmailNeverItsMembers()) {
      return neverItsMembers(s, namesake);
    }
    if (ctx.adoptExisting()) {
      return Plan.of(new Action.Link(namesake.id(), Action.Link.Origin.ADOPTED),
          new Action.RemoveMember(namesake.id(), ctx.reassignFor(namesake.id())),
          new Action.Unlink(namesake.id(), removed(namesake, s)));
    }
    String keeps = keepsAccess(userName(s), why(s), namesake);
    return Plan.blockedKeepingAccess(keeps + ". No link of the bridge's points to it (the user's push failed or never"
        + " ran, or its link was lost), so it is left untouched. Remove it in Fulcrum, or set users.adopt_existing: true"
        + " to have the bridge adopt and remove it; then `fulcrum-scim journal retry user/" + s.scimId() + "`",
        new Plan.IfMadeForIt(namesake.id(), keeps + ". The bridge made that member for this user (its audit says so) and"
            + " has lost the link since (an older backup restored, say): the next resync apply (the scheduled one, or"
            + " `fulcrum-scim resync`) removes it as the bridge's orphan, within the mass-removal guard, and runs this"
            + " change again, which then ends done"));
  }

  /**
   * The token owner's own person left Okta, whether the bridge manages that membership or not: it
   * never removes it (the bridge itself runs on the owner's token), so the person keeps Owner
   * access until an operator moves the bridge to another Owner's token and removes it by hand.
   */
  private static Plan ownerLeft(UserState s, FulcrumMember owner) {
    return Plan.blockedKeepingAccess("user " + userName(s) + ": " + why(s) + ", but " + owner.email() + " is the Fulcrum"
        + " API token's owner, whose membership the bridge never removes: that person keeps Owner access, and the bridge"
        + " still runs on their token. Set fulcrum.api_token to another Owner's token and restart, remove " + owner.email()
        + " in Fulcrum, then `fulcrum-scim journal retry user/" + s.scimId() + "`", owner.id());
  }

  /**
   * The linked member is gone, yet a member no user manages or is being given has the user's
   * email (one another user is given stays theirs, see {@link EmailClaims}): someone removed
   * the managed member and invited the person again by hand. Forgetting the link would end the
   * deprovisioning as done while that person keeps access. With users.adopt_existing the member
   * would have been adopted for an active user, so it is adopted and removed; otherwise it is not
   * the bridge's to remove, and the change stays in front of an operator. The adoption replaces the
   * stale link in one write: had the stale link gone alone first, an interruption (a crash, a lost
   * claim, a failed write) before the adoption committed would leave the key with no link and no
   * intent, which a replay settles as done while the person keeps access.
   */
  private static Plan reinvited(UserState s, FulcrumMember namesake, PlanContext ctx) {
    String stale = s.link().fulcrumId();
    if (ctx.adoptExisting()) {
      return Plan.of(
          new Action.Link(namesake.id(), Action.Link.Origin.ADOPTED, new Action.Unlink(stale,
              "the linked member is already gone from Fulcrum; " + namesake.email() + " was invited again by hand as "
                  + namesake.id() + ", adopted to be removed (users.adopt_existing: true)")),
          new Action.RemoveMember(namesake.id(), ctx.reassignFor(namesake.id())),
          new Action.Unlink(namesake.id(), removed(namesake, s)));
    }
    return Plan.blockedKeepingAccess(keepsAccess(userName(s), why(s), namesake) + ". The bridge's member " + stale
        + " is already gone (removed by hand); this one was invited by hand and is left untouched. Remove it in Fulcrum,"
        + " or set users.adopt_existing: true to have the bridge adopt and remove it; then `fulcrum-scim journal retry user/"
        + s.scimId() + "`", namesake.id());
  }

  /**
   * The member a leaver's look-up found has an address Okta gave the user that its own member never
   * had in Fulcrum ({@link UserState#byEmailNeverItsMembers}): Fulcrum refused it as that member's
   * (an email change onto the address of someone invited by hand), or the user left before it was
   * applied (and the person may have been invited again by hand under it). Either may be: it is
   * reported as maybe keeping access, and never adopted nor removed, whatever users.adopt_existing
   * says; an operator looks (review-s13b F1). Adopted and removed, it would take an innocent
   * person's access; left unreported, the person's own.
   */
  private static Plan neverItsMembers(UserState s, FulcrumMember namesake) {
    return Plan.blockedKeepingAccess(neverItsMembers(userName(s), why(s), namesake) + ". If it is this person, remove it"
        + " in Fulcrum, then `fulcrum-scim journal retry user/" + s.scimId() + "`; if it is someone else, `fulcrum-scim"
        + " journal skip user/" + s.scimId() + "` sets this change aside", namesake.id());
  }

  /** The operator's warning of {@link #neverItsMembers(UserState, FulcrumMember)}, worded once for the reconciler and resync. */
  public static String neverItsMembers(String userName, String why, FulcrumMember member) {
    return "user " + userName + ": " + why + "; Fulcrum member " + member.id() + ", not managed by the bridge, holds "
        + member.email() + ", an address Okta gave this user that never reached its own Fulcrum member (Fulcrum refused"
        + " it, or it was not applied before the user left): it may be this person invited again by hand, who would still"
        + " have access, or someone else. Check it in Fulcrum; the bridge neither adopts nor removes it";
  }

  /**
   * The operator's warning, worded once for the reconciler and resync: a member the bridge does not
   * manage keeps the access Okta took away ({@code why}: "the user was deactivated in Okta").
   */
  public static String keepsAccess(String userName, String why, FulcrumMember member) {
    return "user " + userName + ": " + why + ", but Fulcrum member " + member.id() + " (" + member.email()
        + "), not managed by the bridge, still has access";
  }

  private static String userName(UserState s) {
    return s.desired() != null ? s.desired().userName() : s.deleted() != null ? s.deleted().userName() : s.scimId();
  }

  /**
   * The reason an Unlink after a removal gives: the member by id, which the DELETE went to, and the
   * email the member list at hand had for it, which may be minutes old (changed by hand since).
   */
  private static String removed(FulcrumMember m, UserState s) {
    return "member " + m.id() + " (" + m.email() + " when last listed) removed from Fulcrum; " + why(s);
  }

  private static String why(UserState s) {
    return s.desired() == null ? "the user was deleted in Okta" : "the user was " + left(s.desired());
  }

  /**
   * How the identity provider took an inactive user's access away, worded once for the reconciler
   * and resync. One it sent inactive and never active (Entra provisions disabled users) was not
   * deactivated; it is a deprovisioning all the same: that person must not have access.
   */
  public static String left(DesiredUser inactive) {
    return inactive.neverActive() ? "sent inactive by the identity provider, never active" : "deactivated in Okta";
  }

  /**
   * Only what differs; a field Okta left empty is not cleared, nor is the role when {@code roleId}
   * is null. Names and emails compare as {@link MemberFields#sameName} and {@link MemberFields#sameEmail}
   * say, the rule the client's check of a PUT's answer uses too.
   */
  static MemberFields changes(FulcrumMember actual, DesiredUser d, String roleId) {
    String email = d.email() != null && !MemberFields.sameEmail(d.email(), actual.email()) ? d.email() : null;
    String first = d.givenName() != null && !MemberFields.sameName(d.givenName(), actual.firstName()) ? d.givenName() : null;
    String last = d.familyName() != null && !MemberFields.sameName(d.familyName(), actual.lastName()) ? d.familyName() : null;
    String role = roleId == null || roleId.equals(actual.roleId()) ? null : roleId;
    return new MemberFields(email, first, last, role);
  }

  public Plan group(GroupState s, PlanContext ctx) {
    if (!ctx.groupsPush()) {
      return Plan.of();
    }
    DesiredGroup d = s.desired();
    FulcrumGroup made = madeBy(s.intent(), s.sameName());
    FulcrumGroup unknown = made == null && s.link() == null ? undescribed(s.intent(), s.sameName()).stream()
        .filter(g -> g.description() == null).findFirst().orElse(null) : null;
    if (unknown != null) {
      return Plan.blocked(cannotTell(s, unknown));
    }
    if (d == null) {
      if (s.link() != null) {
        return s.linked() == null
            ? Plan.of(new Action.Unlink(s.link().fulcrumId(), "the linked group is already gone from Fulcrum; deleted in Okta"))
            : Plan.of(new Action.DeleteGroup(s.linked().id()),
                new Action.Unlink(s.linked().id(), "group deleted in Fulcrum; deleted in Okta"));
      }
      if (s.intent() != null) {
        return made == null ? Plan.of(new Action.Unlink(null, "a create that left no group in Fulcrum; deleted in Okta"))
            : Plan.of(new Action.DeleteGroup(made.id()),
                new Action.Unlink(made.id(), "deleted the group an unfinished create made; deleted in Okta"));
      }
      return Plan.of();
    }
    FulcrumGroup actual = s.linked();
    if (s.link() == null || actual == null) {
      List<Action> actions = new ArrayList<>();
      if (s.link() != null) {
        actions.add(new Action.Unlink(s.link().fulcrumId(), "the linked group is gone from Fulcrum: created again"));
      }
      // Never an unmanaged group of the same name: only the one our own create made, as its intent
      // or (its link lost) the audit shows.
      String own = made != null ? made.id() : s.madeForIt();
      actions.add(own != null ? new Action.Link(own, Action.Link.Origin.CREATED) : new Action.CreateGroup(d.displayName()));
      return new Plan(actions, List.of());
    }
    List<Action> actions = new ArrayList<>();
    Set<String> want = new LinkedHashSet<>();
    List<String> waiting = new ArrayList<>();
    for (DesiredGroup.Member m : d.members()) {
      if (!m.active()) {
        continue;
      }
      String id = ctx.isOwner(null, m.email()) ? ctx.ownerMemberId() : s.memberIds().get(m.userId());
      if (id != null) {
        want.add(id);
      } else if (s.pending().contains(m.userId())) {
        waiting.add(m.userId());
      }
      // else the user's push failed (retrying or dead) or is held: linking it later re-queues this group
    }
    // a set: an all-staff group of tens of thousands would cost a scan of the list per member
    Set<String> have = Set.copyOf(actual.memberIds());
    List<String> add = want.stream().filter(id -> !have.contains(id)).toList();
    // While listed users are still being pushed the change waits, to be made in one call once they
    // are in; but a managed member Okta took out goes now (a pending user's member cannot be one).
    // An id the organization no longer has gives no access: named, it would have the whole change refused.
    // A leaver goes like anyone else, unless its own removal is queued or running: that DELETE takes it
    // out of every group at no call, and landing first it would have this change refused. One whose
    // removal failed, is held or was set aside goes now: a group gives access (review-s15a F1).
    List<String> remove = actual.memberIds().stream()
        .filter(id -> !want.contains(id) && !s.leaving().contains(id) && !s.notInOrganization().contains(id))
        .filter(id -> waiting.isEmpty() || s.managedMembers().contains(id)).toList();
    if (!remove.isEmpty() || (waiting.isEmpty() && !add.isEmpty())) {
      actions.add(new Action.ChangeGroupMembers(actual.id(), add, remove));
    }
    // after the member change: Okta sends the name with every membership update, so a name Fulcrum
    // refuses would otherwise end each of them before the people Okta took out leave (review-s9b F1)
    // compared as member names are: a name an older release stored unstripped would otherwise be
    // sent again at every reconcile of the group to a Fulcrum that strips it (review-s9b F6)
    if (!MemberFields.sameName(d.displayName(), actual.name())) {
      actions.add(new Action.RenameGroup(actual.id(), d.displayName()));
    }
    // should a leaver's removal not go (failed, DEAD, held, set aside), nothing else takes it out of this group
    List<String> leftToRemoval = actual.memberIds().stream().filter(id -> s.leaving().contains(id) && !want.contains(id))
        .toList();
    return Plan.group(actions, waiting, leftToRemoval);
  }

  /**
   * The group a create in doubt made, among the unlinked groups of its name. Names are not unique
   * and the intent's prior ids come from a cached list, so a group made by hand since can also be
   * new to it: the bridge sends its marker with every create, and only a group carrying it is the
   * bridge's. A new group without a description is a person's; one whose description Fulcrum's
   * answer left out cannot be told apart, and blocks the plan ({@link #cannotTell}).
   */
  static FulcrumGroup madeBy(Intent intent, List<FulcrumGroup> sameName) {
    return sameName.stream().filter(g -> ours(intent, g.id()) && g.marked()).findFirst().orElse(null);
  }

  /**
   * The unlinked same-name groups new to a create in doubt that show no description, or none that
   * the answer carried: the ones a read by id must settle before a plan may pass them over.
   */
  static List<FulcrumGroup> undescribed(Intent intent, List<FulcrumGroup> sameName) {
    return sameName.stream().filter(g -> ours(intent, g.id()) && (g.description() == null || g.description().isBlank()))
        .toList();
  }

  /**
   * Linked, the group would have its members replaced by Okta's, or be deleted with Okta's group;
   * passed over, a second create could leave the bridge's own group behind unmanaged.
   */
  private static String cannotTell(GroupState s, FulcrumGroup g) {
    return "group '" + g.name() + "': a create of it is in doubt, and Fulcrum has a group of that name (" + g.id()
        + ") made since, whose description its answers leave out, so the bridge cannot tell whether its create made it"
        + " or a person did, and links, changes and deletes nothing. In Fulcrum, a group the bridge made is described \""
        + FulcrumGroup.BRIDGE_MARKER + "\": if that one is not, rename it (the bridge then makes its own); if it is,"
        + " delete it (made again while Okta pushes the group). Then: fulcrum-scim journal retry "
        + ResourceKey.group(s.scimId());
  }

  private static boolean ours(Intent intent, String fulcrumId) {
    return intent != null && !intent.priorIds().contains(fulcrumId);
  }
}
