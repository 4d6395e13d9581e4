package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.LeftWith;
import com.fulcrumscim.journal.MemberAddresses;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Carries out a plan's actions in order: the Fulcrum call, then the mirrors and SQLite (links,
 * intents, audit). A create is announced by an intent committed before the call, and its link
 * replaces the intent in one transaction, so a crash in between is recognised on replay. What
 * follows a call commits with the key's outcome ({@link Attempt}): a crash before then leaves the
 * key's work row claimed and its intent in place, so the key is reconciled again.
 */
final class Applier {
  /**
   * What follows a delete Fulcrum did not carry out. Whether it is tried again is the row's to say
   * (RETRYING, with its next attempt, or DEAD): a DEAD row's reason said "it is tried again".
   */
  static final String LINK_STAYS = "the link stays";
  /**
   * A removal's audit detail when Fulcrum answered its DELETE 404 (or 410): someone removed the
   * member first, so this DELETE removed nothing and moved no records, whatever the plan asked.
   */
  private static final String ALREADY_GONE = "already gone: Fulcrum answered 404, the member was removed before this DELETE; no records moved";
  private final FulcrumClient client;
  private final Database db;
  private final Observer observer;
  private final LinkStore links;
  private final IntentStore intents;
  private final AuditLog audit;
  private final RemovalGuard guard;
  private final DesiredState desired;
  private final SamePerson samePerson;
  private final WorkQueue queue;
  private final FreedEmail freedEmail;
  private final LeftWith leftWith = new LeftWith();
  private final MemberAddresses addresses = new MemberAddresses();
  private final Clock clock;

  Applier(FulcrumClient client, Database db, Observer observer, DesiredState desired, LinkStore links, IntentStore intents,
      AuditLog audit, RemovalGuard guard, Clock clock) {
    this.client = client;
    this.db = db;
    this.observer = observer;
    this.links = links;
    this.intents = intents;
    this.audit = audit;
    this.guard = guard;
    this.desired = desired;
    this.samePerson = new SamePerson(desired);
    this.queue = new WorkQueue(db, clock);
    this.freedEmail = new FreedEmail(db, queue);
    this.clock = clock;
  }

  /**
   * How applying a plan ended: every action went through; stopped after one whose result makes the
   * rest wrong (see {@link #removeMember}), to plan anew; or stopped at a member removal whose DELETE
   * went out, or a member PUT or group member change whose answer did not show it made, to go on
   * from it once checked with the rest of the cycle's ({@link RemovalChecks}).
   */
  enum Applied { ALL, REPLAN, CHECK_PENDING }

  /**
   * Applies {@code plan} from the action after those in {@code went} (which a plan stopped for a
   * removal's check holds); each action is added to {@code went} once it went through, so a plan
   * stopped midway still says what it did.
   */
  Applied apply(Attempt attempt, Plan plan, List<Action> went) {
    for (Action action : plan.actions().subList(went.size(), plan.actions().size())) {
      Applied applied = Applied.ALL;
      switch (action.kind()) {
        case CREATE_MEMBER -> createMember(attempt, (Action.CreateMember) action);
        case UPDATE_MEMBER -> applied = updateMember(attempt, (Action.UpdateMember) action);
        case REMOVE_MEMBER -> applied = removeMember(attempt, (Action.RemoveMember) action);
        case CREATE_GROUP -> createGroup(attempt, (Action.CreateGroup) action);
        case RENAME_GROUP -> renameGroup(attempt, (Action.RenameGroup) action);
        case DELETE_GROUP -> deleteGroup(attempt, (Action.DeleteGroup) action);
        case CHANGE_GROUP_MEMBERS -> applied = changeGroupMembers(attempt, (Action.ChangeGroupMembers) action);
        case LINK -> link(attempt, (Action.Link) action);
        case UNLINK -> unlink(attempt, (Action.Unlink) action);
        case HAND_OVER -> handOver(attempt, (Action.HandOver) action);
        case REMEMBER_ROLE -> rememberRole(attempt, (Action.RememberRole) action);
        case SKIP -> throw new IllegalStateException("a skipped plan is never applied: " + action);
        case REFUSE -> { } // changes nothing: the reconciler reports it once the rest is applied
      }
      if (applied == Applied.CHECK_PENDING) {
        return applied; // the write has not gone through: it is done only once checked
      }
      went.add(action);
      if (applied == Applied.REPLAN) {
        return applied;
      }
    }
    return Applied.ALL;
  }

  private void createMember(Attempt attempt, Action.CreateMember a) {
    MemberFields f = a.fields();
    boolean earlierInDoubt = observer.createInDoubt(attempt);
    announce(attempt, f.email(), observer.members.matching(f.email()).stream().map(FulcrumMember::id));
    FulcrumMember made = create(attempt, Action.Kind.CREATE_MEMBER, "email " + f.email(), earlierInDoubt,
        () -> client.createMember(f));
    // Fulcrum's answer may leave fields out; the mirror keeps what was sent so the next plan is empty.
    FulcrumMember known = new FulcrumMember(made.id(), made.userId(), or(made.email(), f.email()),
        or(made.firstName(), f.firstName()), or(made.lastName(), f.lastName()), or(made.roleId(), f.roleId()),
        made.roleName(), made.managed(), made.status());
    linkLater(attempt, made.id(), Action.Link.Origin.CREATED, Action.Kind.CREATE_MEMBER, "email " + f.email(), known.email());
    observer.members.put(known);
  }

  /**
   * The PUT; one whose answer did not show every field it sent is read back ({@link MemberChangeCheck}):
   * with the rest of the cycle's ({@link Applied#CHECK_PENDING}, and called again once checked), or
   * by id at once. Found not made, it fails, retried.
   */
  private Applied updateMember(Attempt attempt, Action.UpdateMember a) {
    MemberFields f = a.changes();
    String fields = String.join(", ", f.fieldNames());
    // the guard counts the take-backs made within guard.window by this mark on their audit rows
    String detail = a.takesRoleBack() ? fields + "; " + Planner.TAKE_BACK : fields;
    Optional<MemberChangeCheck.Found> checked = attempt.takeFound(MemberChangeCheck.KIND, a.memberId());
    Instant sentAt = checked.map(found -> found.sent().at()).orElse(null);
    if (checked.isEmpty()) {
      neverTheOwners(attempt, Action.Kind.UPDATE_MEMBER, a.memberId(), detail);
      boolean shown = call(attempt, Action.Kind.UPDATE_MEMBER, a.memberId(), detail,
          () -> client.updateMember(a.memberId(), f));
      sentAt = clock.instant();
      if (!shown) {
        MemberChangeCheck.Sent sent = new MemberChangeCheck.Sent(a.memberId(),
            observer.members.get(a.memberId()).map(FulcrumMember::email).orElse(null), f, sentAt);
        if (attempt.checkedLater()) {
          attempt.sent(MemberChangeCheck.KIND, sent);
          return Applied.CHECK_PENDING;
        }
        checked = Optional.of(MemberChangeCheck.KIND.byId(observer, sent));
      }
    }
    if (checked.isPresent()) {
      MemberChangeCheck.Found found = checked.get();
      if (!found.listed()) {
        attempt.readById.add(a.memberId()); // the next plan needs no read of it again
      }
      // audited at the PUT's time: the cycle's other calls went before its check
      call(attempt, Action.Kind.UPDATE_MEMBER, a.memberId(), detail, found.sent().at(), () -> {
        found.confirm(ReadBack.NOT_MADE);
        return null;
      });
    }
    if (f.email() != null) {
      letGo(attempt, observer.members.get(a.memberId()).map(FulcrumMember::email).orElse(null));
      String scimId = attempt.key.scimId();
      attempt.hold(c -> {
        addresses.held(c, scimId, f.email());
        return null;
      });
    }
    observer.members.get(a.memberId()).ifPresent(m -> observer.members.put(new FulcrumMember(m.id(), m.userId(),
        or(f.email(), m.email()), or(f.firstName(), m.firstName()), or(f.lastName(), m.lastName()),
        or(f.roleId(), m.roleId()), m.roleName(), m.managed(), m.status())));
    attempt.audit(audit.entry(attempt.key, Action.Kind.UPDATE_MEMBER, a.memberId(), "ok", detail, sentAt));
    return Applied.ALL;
  }

  /**
   * Removes the member: the DELETE, then a read made after it decides (by id at once, or with the
   * rest of the cycle's removals: {@link Applied#CHECK_PENDING}, and called again once checked). A
   * new plan is asked for when Fulcrum answered 404 and the read found the member gone: someone
   * removed it before the bridge did, perhaps to invite the person again by hand (same email, a new
   * member) after the member list at hand was read, which can be minutes old. Forgetting the link
   * next, as planned, would end the removal done while that person keeps access, and nothing would
   * look again. So the key is planned again on a member list read after the DELETE (the check's, or
   * one more), where a member invited again by hand meets the planner's rule for it (DEAD naming it,
   * or adopted and removed). Once per reconcile, and only in this case.
   */
  private Applied removeMember(Attempt attempt, Action.RemoveMember a) {
    if (attempt.removedById.contains(a.memberId())) {
      FulcrumException.Unavailable failure = listedButUnknownById(a);
      // the removal's audit row said ok; this one says what the list showed since
      attempt.audit(audit.entry(attempt.key, Action.Kind.REMOVE_MEMBER, a.memberId(), "failed: " + failure.getMessage(),
          "read back by id, then listed"));
      throw failure;
    }
    Optional<MemberRemovalCheck.Found> checked = attempt.takeFound(MemberRemovalCheck.KIND, a.memberId());
    if (checked.isEmpty() && attempt.checkedLater()) {
      attempt.sent(MemberRemovalCheck.KIND, send(attempt, a));
      return Applied.CHECK_PENDING;
    }
    MemberRemovalCheck.Found found = checked.orElseGet(() -> MemberRemovalCheck.KIND.byId(observer, send(attempt, a)));
    String detail = found.detail(Action.RemoveMember.records(a.memberId(), found.sent().reassignTo(),
        observer.configuredReassignTarget()));
    // audited at the DELETE's time: the cycle's other DELETEs went before its check
    Instant sentAt = found.sent().at();
    int status = call(attempt, Action.Kind.REMOVE_MEMBER, a.memberId(), detail, sentAt, () -> found.status(LINK_STAYS));
    letGo(attempt, found.sent().email());
    observer.members.remove(a.memberId());
    // Fulcrum drops a removed member from every group: the group mirror follows. One that goes on
    // listing it shows so at its next list read, and group plans leave the id out (Observer#notInOrganization).
    // Those it listed it in are woken with the outcome: one whose plan left the member to this removal
    // waits for it, and Okta may no longer list the user in it (WorkQueue#wakeGroupsWaitingOn).
    observer.groups.replaceAll(g -> {
      if (!g.memberIds().contains(a.memberId())) {
        return g;
      }
      attempt.groupLeft(g.id());
      return new FulcrumGroup(g.id(), g.name(), g.description(), without(g.memberIds(), Set.of(a.memberId())));
    });
    attempt.audit(audit.entry(attempt.key, Action.Kind.REMOVE_MEMBER, a.memberId(), "ok",
        status == 404 ? found.detail(ALREADY_GONE) : detail, sentAt));
    attempt.readById.add(a.memberId()); // the next plan needs no read of it again
    if (!found.listed()) {
      attempt.removedById.add(a.memberId());
    }
    if (status == 404 && attempt.seekNamesakeOnce()) {
      if (!found.listed()) {
        observer.members.invalidate();
      }
      return Applied.REPLAN;
    }
    return Applied.ALL;
  }

  /**
   * A removal this reconcile already found done by a read by id, planned again on a member list read
   * since that still shows the member: Fulcrum answers 404 for it by id (its DELETE and its read)
   * while listing it, as an API gateway's route or an inconsistency in Fulcrum would. Another 404 by
   * id would be trusted again, and the removal end done and unlinked while the person keeps access:
   * it fails instead, retried, and DEAD with this reason at the end of its budget. No DELETE is sent
   * again: its 404 is what cannot be trusted.
   */
  private FulcrumException.Unavailable listedButUnknownById(Action.RemoveMember a) {
    String email = observer.members.get(a.memberId()).map(FulcrumMember::email).orElse(null);
    return new FulcrumException.Unavailable(FulcrumClient.MEMBER_DELETE, "Fulcrum lists member " + a.memberId()
        + (email == null ? "" : " (" + email + ")") + " but answers 404 for it by id: its removal was read back by id"
        + " as gone, and the member list read since shows it; " + LINK_STAYS, null);
  }

  /**
   * The DELETE; a lost answer is left to the read that follows. Refused because of its records'
   * target, it is sent again leaving them unassigned when that target has left since the plan was
   * made (another removal of the same batch, or by hand): Fulcrum refuses a removal that names it,
   * and the person would keep access.
   */
  private MemberRemovalCheck.Sent send(Attempt attempt, Action.RemoveMember a) {
    String email = observer.members.get(a.memberId()).map(FulcrumMember::email).orElse(null);
    String reassignTo = a.reassignTo();
    neverTheOwners(attempt, Action.Kind.REMOVE_MEMBER, a.memberId(), null);
    try {
      ConfirmedDelete.Sent sent = delete(attempt, a.memberId(), reassignTo);
      return new MemberRemovalCheck.Sent(a.memberId(), email, reassignTo, sent, clock.instant());
    } catch (FulcrumException.Rejected refused) {
      if (reassignTo == null || observer.rereadMember(reassignTo).isPresent()) {
        throw refused;
      }
      ConfirmedDelete.Sent sent = delete(attempt, a.memberId(), null);
      return new MemberRemovalCheck.Sent(a.memberId(), email, null, sent, clock.instant());
    }
  }

  /**
   * The last check before a write to a membership, whatever the plan says: the token owner's is
   * never changed or removed (the bridge runs on its token). The planner leaves it alone whenever
   * it recognises the owner; this catches a plan that did not, audited and refused before any call.
   */
  private void neverTheOwners(Attempt attempt, Action.Kind kind, String memberId, String detail) {
    if (observer.ownerMemberships().contains(memberId)) {
      String email = observer.members.get(memberId).map(FulcrumMember::email).orElse(null);
      OwnerMembershipRefused refused = new OwnerMembershipRefused(attempt.key, kind, memberId, email,
          observer.knownOwner().map(FulcrumUser::email).orElse(null));
      attempt.audit(audit.entry(attempt.key, kind, memberId, "refused: the Fulcrum API token's owner's membership", detail));
      throw refused;
    }
  }

  private ConfirmedDelete.Sent delete(Attempt attempt, String memberId, String reassignTo) {
    String detail = Action.RemoveMember.records(memberId, reassignTo, observer.configuredReassignTarget());
    return call(attempt, Action.Kind.REMOVE_MEMBER, memberId, detail,
        () -> ConfirmedDelete.send(() -> client.deleteMember(memberId, reassignTo)));
  }

  private void createGroup(Attempt attempt, Action.CreateGroup a) {
    boolean earlierInDoubt = observer.createInDoubt(attempt);
    announce(attempt, a.name(), observer.groups.matching(a.name()).stream().map(FulcrumGroup::id));
    FulcrumGroup made = create(attempt, Action.Kind.CREATE_GROUP, "name " + a.name(), earlierInDoubt,
        () -> client.createGroup(a.name(), FulcrumGroup.BRIDGE_MARKER));
    linkLater(attempt, made.id(), Action.Link.Origin.CREATED, Action.Kind.CREATE_GROUP, "name " + a.name(), null);
    // Fulcrum may add the token owner to a group it creates, and its answer need not list members.
    // Counting the owner in lets the one member call remove it (removing a non-member is a no-op),
    // where reading the group back would cost a call per group.
    List<String> members = made.memberIds();
    String owner = observer.context().ownerMemberId();
    if (members.isEmpty() && owner != null) {
      members = List.of(owner);
    }
    observer.groups.put(new FulcrumGroup(made.id(), or(made.name(), a.name()), made.description(), members));
  }

  private void renameGroup(Attempt attempt, Action.RenameGroup a) {
    call(attempt, Action.Kind.RENAME_GROUP, a.groupId(), "name " + a.name(), () -> {
      client.renameGroup(a.groupId(), a.name());
      return null;
    });
    observer.groups.get(a.groupId()).ifPresent(g ->
        observer.groups.put(new FulcrumGroup(g.id(), a.name(), g.description(), g.memberIds())));
    recordOk(attempt, Action.Kind.RENAME_GROUP, a.groupId(), "name " + a.name());
  }

  private void deleteGroup(Attempt attempt, Action.DeleteGroup a) {
    call(attempt, Action.Kind.DELETE_GROUP, a.groupId(), null, () ->
        ConfirmedDelete.run(FulcrumClient.GROUP_DELETE, () -> client.deleteGroup(a.groupId()), () -> observer.rereadGroup(a.groupId()),
            g -> "deleting group " + g.id() + " (" + g.name() + ")", LINK_STAYS));
    observer.groups.remove(a.groupId());
    recordOk(attempt, Action.Kind.DELETE_GROUP, a.groupId(), null);
  }

  /**
   * The member change; one whose answer did not show it made is read back ({@link GroupChangeCheck}):
   * with the rest of the cycle's ({@link Applied#CHECK_PENDING}, and called again once checked), or
   * by id at once. Found not made, it fails, retried.
   */
  private Applied changeGroupMembers(Attempt attempt, Action.ChangeGroupMembers a) {
    String detail = "add " + a.add().size() + ", remove " + a.remove().size();
    Optional<GroupChangeCheck.Found> checked = attempt.takeFound(GroupChangeCheck.KIND, a.groupId());
    Instant sentAt = checked.map(found -> found.sent().at()).orElse(null);
    if (checked.isEmpty()) {
      boolean shown = call(attempt, Action.Kind.CHANGE_GROUP_MEMBERS, a.groupId(), detail,
          () -> client.changeGroupMembers(a.groupId(), a.add(), a.remove()));
      sentAt = clock.instant();
      if (!shown) {
        GroupChangeCheck.Sent sent = new GroupChangeCheck.Sent(a.groupId(),
            observer.groups.get(a.groupId()).map(FulcrumGroup::name).orElse(null), a.add(), a.remove(), sentAt);
        if (attempt.checkedLater()) {
          attempt.sent(GroupChangeCheck.KIND, sent);
          return Applied.CHECK_PENDING;
        }
        checked = Optional.of(GroupChangeCheck.KIND.byId(observer, sent));
      }
    }
    if (checked.isPresent()) {
      GroupChangeCheck.Found found = checked.get();
      if (!found.listed()) {
        attempt.readById.add(a.groupId()); // the next plan needs no read of it again
      }
      // audited at the call's time: the cycle's other calls went before its check
      call(attempt, Action.Kind.CHANGE_GROUP_MEMBERS, a.groupId(), detail, sentAt, () -> {
        found.confirm(ReadBack.NOT_MADE);
        return null;
      });
    }
    observer.groups.get(a.groupId()).ifPresent(g -> {
      // in the list's order, the adds after: a set, as the first push of a big group adds thousands
      Set<String> now = new LinkedHashSet<>(without(g.memberIds(), Set.copyOf(a.remove())));
      now.addAll(a.add());
      observer.groups.put(new FulcrumGroup(g.id(), g.name(), g.description(), List.copyOf(now)));
    });
    attempt.audit(audit.entry(attempt.key, Action.Kind.CHANGE_GROUP_MEMBERS, a.groupId(), "ok", detail, sentAt));
    return Applied.ALL;
  }

  /**
   * An adopted entity has no intent behind it: only its committed link would make a later
   * deactivation remove it, so that link commits before anything is done to it. A link that
   * recognises the bridge's own create is backed by the create's intent until it commits. A stale
   * link the adoption replaces goes in the same transaction, with its UNLINK audit row; it spends
   * no removal approval: that is for the unlink after the removal itself.
   */
  private void link(Attempt attempt, Action.Link a) {
    String detail = a.origin().name().toLowerCase(java.util.Locale.ROOT);
    String email = attempt.key.type() == EntityType.USER
        ? observer.members.get(a.fulcrumId()).map(FulcrumMember::email).orElse(null) : null;
    if (a.origin() == Action.Link.Origin.ADOPTED) {
      attempt.startHeld(db);
      attempt.write(db, c -> {
        if (a.replaces() != null) {
          links.unlink(c, attempt.key.type(), attempt.key.scimId());
          audit.entry(attempt.key, Action.Kind.UNLINK, a.replaces().fulcrumId(), "ok", a.replaces().why()).run(c);
        }
        linkIn(c, attempt.key, a.fulcrumId(), a.origin(), clock.instant(), email);
        // made here, not before the write: no Fulcrum call to date, and the line only once the link went in
        return audit.entry(attempt.key, Action.Kind.LINK, a.fulcrumId(), "ok", detail).run(c);
      });
      attempt.caughtUp();
    } else {
      linkLater(attempt, a.fulcrumId(), a.origin(), Action.Kind.LINK, detail, email);
    }
  }

  /**
   * Every dropped link leaves an audit row naming the entity and why, in the same transaction. A
   * member left in place is no longer this user's: see {@link FreedEmail#freed}.
   */
  private void unlink(Attempt attempt, Action.Unlink a) {
    ResourceKey key = attempt.key;
    String email = a.fulcrumId() == null ? null : observer.members.get(a.fulcrumId()).map(FulcrumMember::email).orElse(null);
    attempt.startHeld(db);
    attempt.write(db, c -> {
      links.unlink(c, key.type(), key.scimId());
      audit.entry(key, Action.Kind.UNLINK, a.fulcrumId(), "ok", a.why()).run(c);
      intents.delete(c, key.type(), key.scimId());
      if (key.type() == EntityType.USER) {
        guard.consume(c, key.scimId());
        freedEmail.freed(c, key, email);
      }
      return null;
    });
    attempt.caughtUp();
  }

  /**
   * The member with {@code email} is no longer this user's (removed, or given another address), with
   * the outcome: see {@link FreedEmail#freed}.
   */
  private void letGo(Attempt attempt, String email) {
    if (attempt.key.type() == EntityType.USER && email != null) {
      attempt.hold(c -> {
        freedEmail.freed(c, attempt.key, email);
        return null;
      });
    }
  }

  /**
   * The attempt's row ends (applied, nothing to change, skipped), with the outcome: a user Okta
   * deactivated or deleted holds nothing with its email any more, whether or not this reconcile
   * removed anything (the member removed by hand before a `journal retry`): see
   * {@link FreedEmail#rowEnded}. {@code verified}: its own plan found nothing left of the person's,
   * so the address it left with, if changed away from since, is released ({@link LeftWith}), after
   * the users waiting under it were woken.
   */
  void ended(Attempt attempt, boolean verified) {
    attempt.hold(c -> {
      freedEmail.rowEnded(c, attempt.key);
      if (verified) {
        leftWith.release(c, attempt.key.scimId());
      }
      return null;
    });
  }

  /**
   * The giver's link moves to the heir in one transaction, so the member is never left unmanaged (a
   * deactivation of the heir meanwhile would find nothing to remove) nor managed twice. Checked
   * again inside it ({@link #cannotHandOver}): the plan was made on rows read before, which SCIM
   * and other writers may have changed since. A DEAD heir row is revived: an active user with no
   * link and this member's email died, most often, on this very link ("already managed for SCIM user
   * ..."), which has now ended, and its plan is now the one of a managed member; a row in any other
   * state is made due with the outcome.
   */
  private void handOver(Attempt attempt, Action.HandOver a) {
    ResourceKey from = attempt.key;
    ResourceKey heir = ResourceKey.user(a.heir());
    String email = observer.members.get(a.memberId()).map(FulcrumMember::email).orElse(null);
    attempt.startHeld(db);
    attempt.write(db, c -> {
      String cannot = cannotHandOver(c, from, a, email);
      if (cannot != null) {
        throw new IllegalStateException(from + " cannot hand member " + a.memberId() + " over to " + heir + ": " + cannot
            + " since the plan; it is planned again");
      }
      Link given = links.get(c, EntityType.USER, from.scimId()).orElseThrow();
      links.unlink(c, EntityType.USER, from.scimId());
      intents.delete(c, EntityType.USER, from.scimId());
      guard.consume(c, from.scimId());
      audit.entry(from, Action.Kind.UNLINK, a.memberId(), "ok", a.why()).run(c);
      linkIn(c, heir, a.memberId(), given.origin(), clock.instant(), email);
      links.rememberRole(c, a.heir(), given.oktaRoleId());
      audit.entry(heir, Action.Kind.LINK, a.memberId(), "ok", "handed over from " + from + ", which Okta took away").run(c);
      queue.revive(c, heir, WorkState.DEAD);
      return null;
    });
    attempt.caughtUp();
  }

  /**
   * What changed since the plan that forbids the hand-over, or null: the giver no longer links the
   * member; the heir is linked, has a create in doubt, is no longer
   * active, or no longer has the member's email (Okta deactivated it or changed its address); or the
   * heir is no longer the giver's person pushed again ({@link SamePerson}): given another address
   * and this one back, or deactivated and reactivated, since the plan.
   */
  private String cannotHandOver(Connection c, ResourceKey from, Action.HandOver a, String email) throws SQLException {
    if (!links.get(c, EntityType.USER, from.scimId()).map(Link::fulcrumId).equals(Optional.of(a.memberId()))
        || links.get(c, EntityType.USER, a.heir()).isPresent()) {
      return "the links changed";
    }
    Optional<DesiredUser> heir = desired.user(c, a.heir());
    if (heir.filter(DesiredUser::active).isEmpty() || email == null || !MemberFields.sameEmail(heir.get().email(), email)
        || intents.get(c, EntityType.USER, a.heir()).isPresent()) {
      return "the heir is no longer an active user with the member's email and no create in doubt";
    }
    if (samePerson.pushedAgain(c, email, from.scimId()).stream().noneMatch(u -> u.id().equals(a.heir()))) {
      return "the heir is no longer the person Okta took away pushed again (its address changed, or it was reactivated,"
          + " or the giver is active again)";
    }
    return null;
  }

  /**
   * Planned only for a linked key, or one whose create this attempt has just linked: then with the
   * key's outcome, as the link itself (a create lost before it is recognised by its intent, which
   * names the role again). A role to hold for a key linked earlier is committed now, before the
   * update that gives it: lost with the outcome, it would never be written again (the replay finds
   * the member with the role already), and the role never taken back. A record of a role the update
   * then failed to give only makes the bridge let go when Okta clears it (the member has another).
   * Dropping the record waits for the outcome: lost, the next plan finds the member without that role.
   */
  private void rememberRole(Attempt attempt, Action.RememberRole a) {
    String scimId = attempt.key.scimId();
    Database.Work<Void> remember = c -> {
      links.rememberRole(c, scimId, a.roleId());
      return null;
    };
    if (a.roleId() != null && attempt.pendingLink().isEmpty()) {
      attempt.startHeld(db);
      attempt.write(db, remember);
    } else {
      attempt.linked(observer.link(attempt).withOktaRole(a.roleId()), remember);
    }
  }

  /**
   * One create call. Refused (422, 403, 402), it made nothing, so its intent goes with the
   * outcome: the intent's prior ids come from a cached list, and a member or group made by hand
   * since (often why Fulcrum refused: the email is taken) would otherwise pass for this create's
   * and be linked, or removed with a deactivation. An intent from an earlier create still in doubt
   * stays: that create may have taken the email, and it is the bridge's own. Any other failure may
   * have made it, or says nothing either way (a 429 from the pacer): the intent stays.
   */
  private <T> T create(Attempt attempt, Action.Kind kind, String detail, boolean earlierInDoubt, Supplier<T> fulcrumCall) {
    try {
      return call(attempt, kind, null, detail, fulcrumCall);
    } catch (FulcrumException.Rejected | FulcrumException.Forbidden refused) {
      if (!earlierInDoubt) {
        ResourceKey key = attempt.key;
        attempt.hold(c -> {
          intents.delete(c, key.type(), key.scimId());
          return null;
        });
      }
      throw refused;
    }
  }

  /** Commits the intent that lets a replay recognise this create's result. */
  private void announce(Attempt attempt, String matchKey, java.util.stream.Stream<String> priorIds) {
    ResourceKey key = attempt.key;
    attempt.startHeld(db);
    Intent intent = new Intent(key.scimId(), Mirror.key(matchKey), priorIds.collect(Collectors.toSet()), clock.instant());
    attempt.write(db, c -> {
      intents.record(c, key.type(), intent);
      return null;
    });
  }

  /** Links and forgets the intent, and audits, with the key's outcome. {@code email}: the member's (null: a group, or not known). */
  private void linkLater(Attempt attempt, String fulcrumId, Action.Link.Origin origin, Action.Kind kind, String detail,
      String email) {
    ResourceKey key = attempt.key;
    Instant now = clock.instant();
    attempt.linked(new Link(key.scimId(), fulcrumId, origin, now, null), c -> {
      linkIn(c, key, fulcrumId, origin, now, email);
      return null;
    });
    audit(attempt, kind, fulcrumId, "ok", detail);
  }

  /**
   * {@code email}: the member's as the mirror has it (null: a group, or not known), recorded as an
   * address the user's own member had in Fulcrum ({@link MemberAddresses}).
   */
  private void linkIn(Connection c, ResourceKey key, String fulcrumId, Action.Link.Origin origin, Instant at, String email)
      throws SQLException {
    links.link(c, key.type(), key.scimId(), fulcrumId, origin, at);
    intents.delete(c, key.type(), key.scimId());
    if (key.type() == EntityType.USER && email != null) {
      addresses.held(c, key.scimId(), email);
    }
  }

  /**
   * Makes one Fulcrum call; a failure is audited and rethrown. Any write that may have happened
   * without an answer (timeout, 5xx, dropped connection) leaves the mirrors unable to show its
   * result: they are read again, so the next plan starts from what Fulcrum really has (and a
   * create's replay finds what its intent announced).
   */
  private <T> T call(Attempt attempt, Action.Kind kind, String fulcrumId, String detail, Supplier<T> fulcrumCall) {
    return call(attempt, kind, fulcrumId, detail, null, fulcrumCall);
  }

  /** As {@link #call(Attempt, Action.Kind, String, String, Supplier)}; a failure audited as of {@code madeAt} (null: now). */
  private <T> T call(Attempt attempt, Action.Kind kind, String fulcrumId, String detail, Instant madeAt, Supplier<T> fulcrumCall) {
    attempt.startHeld(db);
    try {
      return fulcrumCall.get();
    } catch (FulcrumException e) {
      if (e instanceof FulcrumException.Unavailable) {
        observer.invalidate();
      }
      String result = "failed: " + e.getMessage();
      attempt.audit(madeAt == null ? audit.entry(attempt.key, kind, fulcrumId, result, detail)
          : audit.entry(attempt.key, kind, fulcrumId, result, detail, madeAt));
      throw e;
    }
  }

  private void recordOk(Attempt attempt, Action.Kind kind, String fulcrumId, String detail) {
    audit(attempt, kind, fulcrumId, "ok", detail);
  }

  private void audit(Attempt attempt, Action.Kind kind, String fulcrumId, String result, String detail) {
    attempt.audit(audit.entry(attempt.key, kind, fulcrumId, result, detail));
  }

  private static List<String> without(List<String> ids, Set<String> gone) {
    return ids.stream().filter(id -> !gone.contains(id)).toList();
  }

  private static String or(String preferred, String fallback) {
    return preferred != null ? preferred : fallback;
  }
}
