package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.fulcrum.MemberList;
import com.fulcrumscim.journal.DesiredGroup;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.MemberAddresses;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.RestoreMarker;
import com.fulcrumscim.journal.Tombstones;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers what the planner needs for one key: desired state and links from SQLite, actual state
 * from the member and group mirrors, and the context (token owner, roles) read once and cached.
 */
final class Observer {
  private static final Logger log = LoggerFactory.getLogger(Observer.class);
  private final FulcrumClient client;
  private final Database db;
  private final DesiredState desired;
  private final LinkStore links;
  private final IntentStore intents;
  /**
   * How near a user's leave (its deactivation, or its delete when it was active until then) a new
   * user with its email must have been created with it, and become active, to be taken for that
   * person pushed again, and be handed its member (never a user given the address by a change). A re-push (a reassignment, a move between
   * directories, a delete and re-add) is within minutes or hours of the leave; an address is given
   * to a new hire, or a long-gone user rehired with it, much later. Both ends are times stored when
   * they happened (scim_user.inactive_since, tombstone left_at, scim_user.created_at, active_since,
   * email_changed_at), which later
   * edits or a later delete do not move. The bound matters because a leaver whose removal is held by
   * the mass-removal guard, set aside, or DEAD keeps its member for as long as nobody acts: without
   * it, any later user with the address, a different person, would be given the leaver's account
   * (login, records, groups, role).
   */
  static final Duration SAME_PERSON_WINDOW = Duration.ofHours(24);

  private final Tombstones tombstones = new Tombstones();
  private final MemberAddresses addresses = new MemberAddresses();
  private final RestoreMarker restoreMarker;
  private final SamePerson samePersonRule;
  private final WorkQueue queue;
  /** A change still to be made, or one waiting for an operator. */
  private static final Set<WorkState> QUEUED_OR_WAITING =
      Set.of(WorkState.PENDING, WorkState.RUNNING, WorkState.RETRYING, WorkState.HELD, WorkState.DEAD);
  private final AuditLog audit;
  private final ReconcileSettings settings;
  private final Clock clock;
  final Mirror<FulcrumMember> members;
  final Mirror<FulcrumGroup> groups;
  private final AtomicLong rereads = new AtomicLong();
  /** Orders the mirrors' reads: whether the member list was read after a group's copy ({@link #notInOrganization}). */
  private final AtomicLong readOrder = new AtomicLong();
  private final Doubts memberDoubts = new Doubts();
  private final Doubts groupDoubts = new Doubts();
  private volatile FulcrumUser owner;
  /** Whether the last plan found the reassign target, so its loss and return are logged once each. */
  private final AtomicBoolean reassignTargetPresent = new AtomicBoolean(true);
  /** The member list read (its load count) for which the missing reassign target was looked up. */
  private volatile long reassignCheckedAtLoad = -1;
  /** The member list read in which the owner's membership was looked for by account id. */
  private volatile long ownerScannedAtLoad = -1;
  /**
   * The member list read for which the owner was read again, as it showed no membership for it or
   * showed one only its email matched, under other names.
   */
  private volatile long ownerReadAtLoad = -1;
  /** Every membership id found to be the token owner's and confirmed ({@link #ownerMemberships}). */
  private final Set<String> ownerMemberships = ConcurrentHashMap.newKeySet();
  /** Held while the owner's membership is looked for, and the owner read again if need be ({@link #ownerMember}). */
  private final Object ownerLook = new Object();
  private RoleTable roles;
  private Instant rolesReadAt;

  Observer(FulcrumClient client, Database db, DesiredState desired, LinkStore links, IntentStore intents,
      ReconcileSettings settings, Clock clock) {
    this.client = client;
    this.db = db;
    this.desired = desired;
    this.samePersonRule = new SamePerson(desired);
    this.restoreMarker = new RestoreMarker(db);
    this.queue = new WorkQueue(db, clock);
    this.links = links;
    this.intents = intents;
    this.audit = new AuditLog(db, clock);
    this.settings = settings;
    this.clock = clock;
    this.members = new Mirror<>(this::readMembers, FulcrumMember::id, FulcrumMember::email, clock, settings.mirrorMaxAge(),
        readOrder::incrementAndGet);
    // the group list's pages are not counted: none of its reads is taken for whole
    this.groups = new Mirror<>(() -> new Mirror.Read<>(client.groups(), false), FulcrumGroup::id, FulcrumGroup::name, clock,
        settings.mirrorMaxAge(), readOrder::incrementAndGet);
  }

  /** The member mirror's loader: the list, and whether it was read whole. */
  private Mirror.Read<FulcrumMember> readMembers() {
    MemberList read = client.memberList();
    return new Mirror.Read<>(read.members(), read.whole());
  }

  /**
   * Whether the member list at hand was read in one answer: read over several pages, a member it
   * does not show may still be in Fulcrum ({@link MemberList#whole}).
   */
  boolean memberListWhole() {
    return memberCopy().whole();
  }

  /** The member list's copy at hand ({@link Mirror.Copy}), read first unless one younger than maxAge is. */
  Mirror.Copy memberCopy() {
    members.ensure();
    return members.copy();
  }

  /**
   * True when nothing in Fulcrum can concern the key (never pushed, not wanted, no create in
   * doubt; or groups are not pushed): it is settled without a single call. Not a user Okta
   * deactivated or deleted that the key had no link for when this attempt began and that has an
   * email (for a deleted one, its tombstone's): a member with that email keeps the access Okta took
   * away (one invited by hand before Okta assigned the person, on which the push failed; the token
   * owner's), which only the plan, on the member list, can tell. A link this attempt dropped was
   * settled by the plan that dropped it (its member removed and read back, or found gone and the
   * email looked for then), so the key is done as before, without another read.
   */
  boolean idle(Attempt attempt) {
    ResourceKey key = attempt.key;
    if (key.type() == EntityType.GROUP && !settings.groupsPush()) {
      return true;
    }
    Recorded r = recorded(attempt);
    if (key.type() == EntityType.GROUP) {
      return r.group() == null && link(attempt, r) == null && intent(attempt, r) == null;
    }
    DesiredUser user = r.user();
    if (user != null && user.active() || link(attempt, r) != null || intent(attempt, r) != null) {
      return false;
    }
    String email = user != null ? user.email() : r.deleted() != null ? r.deleted().email() : null;
    return attempt.linkedAtStart() || email == null || email.isBlank();
  }

  /** What Okta wants for the attempt's user, as this round read it. */
  Optional<DesiredUser> desiredUser(Attempt attempt) {
    return Optional.ofNullable(recorded(attempt).user());
  }

  /** What Okta wants for another user, {@code scimId}: read as needed, for a refusal's reason ({@link EmailMoves}). */
  Optional<DesiredUser> desiredUserOf(String scimId) {
    return db.read(c -> desired.user(c, scimId));
  }

  UserState user(Attempt attempt) {
    String id = attempt.key.scimId();
    Recorded r = recorded(attempt);
    DesiredUser d = r.user();
    Link link = link(attempt, r);
    Intent intent = intent(attempt, r);
    members.ensure();
    FulcrumMember linked = link == null ? null : members.get(link.fulcrumId()).orElse(null);
    // A create in doubt is looked for under the email it was made with; a leaver under the address
    // it left with, then its current one (a deleted user: its tombstone's): a member invited again by
    // hand after the managed one was removed would otherwise keep the access Okta took away.
    FulcrumMember byEmail = firstMember(UserState.lookedUpBy(d, r.deleted(), intent)).orElse(null);
    String holder = byEmail == null ? null : links.scimIdOf(EntityType.USER, byEmail.id()).orElse(null);
    if (link == null && id.equals(holder)) {
      // handed over to this key (Action.HandOver) after this round read its rows: read them again
      attempt.roundApplied();
      return user(attempt);
    }
    String linkedTo = id.equals(holder) ? null : holder;
    boolean unmanaged = byEmail != null && linkedTo == null && (link == null || !link.fulcrumId().equals(byEmail.id()));
    boolean leaving = d == null || !d.active();
    EmailClaims.Claim claim = unmanaged && leaving ? claimOn(byEmail, id) : null;
    boolean linkedToLeaves = linkedTo != null && !leaving
        && db.read(c -> desired.user(c, linkedTo)).filter(DesiredUser::active).isEmpty();
    String ownEmail = d != null ? d.email() : r.deleted() != null ? r.deleted().email() : null;
    EmailClaims.Claim.ActiveUser heir = leaving && linked != null && samePerson(ownEmail, linked) ? heirOf(linked, id) : null;
    String leaver = unmanaged && !leaving ? leaverHolding(byEmail, id) : null;
    return new UserState(id, d, r.deleted(), link, linked, byEmail, linkedTo, claim, intent, linkedToLeaves, heir, leaver,
        r.held());
  }

  /** The member the first of {@code emails} that finds one finds ({@link UserState#lookedUpBy}). */
  private Optional<FulcrumMember> firstMember(List<String> emails) {
    return emails.stream().flatMap(e -> members.matching(e).stream()).findFirst();
  }

  /**
   * The user Okta deactivated or deleted, other than {@code newcomer}, whose plan names member
   * {@code m}, which no link manages, as that leaver's (its lookup finds it first, see {@link
   * UserState#lookedUpBy}; no link to a member that is there): adopted and removed, or reported as
   * keeping access. Leavers are found by the address they left with as well as by their current one
   * (a deleted user's last), the first by {@code m}'s key as the mirror matches it (any letter's
   * case). Only while that change is still to be made or waits for an operator (queued, held, DEAD,
   * set aside): once it has run, the member was removed or left to someone. None when {@code newcomer} is that
   * leaver's person pushed again ({@link SamePerson}), whom the leaver's plan leaves it to. Without
   * this, a new hire given a recycled address would adopt the leaver's account (users.adopt_existing)
   * while a hold lasts. Asked only for an active user whose email finds a member no user manages:
   * rare once users are adopted.
   */
  private String leaverHolding(FulcrumMember m, String newcomer) {
    Map<String, Leaver> leavers = db.read(c -> {
      Map<String, List<String>> lookups = new TreeMap<>();
      tombstones.withEmail(c, m.email()).forEach(g -> lookups.put(g.id(), UserState.lookedUpBy(null, g, null)));
      desired.inactiveUsersWithEmail(c, m.email()).forEach(u -> lookups.put(u.id(), UserState.lookedUpBy(u, null, null)));
      Map<String, Leaver> out = new LinkedHashMap<>();
      for (Map.Entry<String, List<String>> l : lookups.entrySet()) {
        String id = l.getKey();
        if (!id.equals(newcomer) && queue.get(c, ResourceKey.user(id)).filter(row -> stillToBeMade(row, m)).isPresent()
            && samePersonRule.pushedAgain(c, m.email(), id).stream().noneMatch(u -> u.id().equals(newcomer))) {
          out.put(id, new Leaver(links.get(c, EntityType.USER, id), l.getValue()));
        }
      }
      return out;
    });
    // the mirror is asked outside the read: a leaver linked to a member that is there removes that one
    return leavers.entrySet().stream()
        .filter(e -> e.getValue().link().filter(k -> members.get(k.fulcrumId()).isPresent()).isEmpty())
        .filter(e -> firstMember(e.getValue().lookedUpBy()).filter(found -> found.id().equals(m.id())).isPresent())
        .map(Map.Entry::getKey).findFirst().orElse(null);
  }

  /**
   * Whether a leaver's change is still to be made on member {@code m}: queued, or waiting for an
   * operator (held, DEAD, or set aside with `journal skip`, which the next resync apply runs again,
   * as for a linked leaver: Reconciler#waiting). Set aside on another member than {@code m} (its own
   * removed by hand since), it is not: nothing runs it again for a member it did not stop on, and a
   * new hire whose own member has the address would wait for it for good (review-s8g F2, F3). One
   * set aside before the member was recorded still counts, as the member cannot be told. A DEAD or
   * HELD row counts whatever member it stopped on: it waits for an operator, who is alerted and asked
   * whose the member under the address is (the leaver's reason and the waiting user's name both ways
   * out). Taken for the new hire's unasked, it may be the leaver's person invited by hand once more:
   * the new hire would adopt their account, and the leaver's retry then end done, the access kept unseen.
   */
  private static boolean stillToBeMade(WorkItem row, FulcrumMember m) {
    return QUEUED_OR_WAITING.contains(row.state())
        || row.setAside() && (row.heldMember() == null || row.heldMember().equals(m.id()));
  }

  /** A leaver {@link #leaverHolding} weighs: its link, and the emails its member is looked up by. */
  private record Leaver(Optional<Link> link, List<String> lookedUpBy) {}

  /**
   * Only the same person pushed again is handed a leaving user's member: the leaver's own last email
   * ({@code ownEmail}) must be the member's too. A member whose email was changed by hand to someone
   * else's is that leaver's account (their login), which another person must never be given; it is
   * removed. Compared as Fulcrum compares them ({@link MemberFields#sameEmail}): Java's
   * equalsIgnoreCase takes ivan@ for ıvan@ (and s for ſ), another person's address.
   */
  private static boolean samePerson(String ownEmail, FulcrumMember m) {
    return MemberFields.sameEmail(ownEmail, m.email());
  }

  /**
   * The active user other than {@code besides} with member {@code m}'s email that has neither a
   * link nor a create in doubt and is that person pushed again ({@link SamePerson}): Okta took
   * {@code besides} away and pushed the person again under another id, which the member can be
   * handed over to. One indexed read per leaving linked user.
   */
  private EmailClaims.Claim.ActiveUser heirOf(FulcrumMember m, String besides) {
    return db.read(c -> {
      for (DesiredUser u : samePersonRule.pushedAgain(c, m.email(), besides)) {
        if (links.get(c, EntityType.USER, u.id()).isEmpty() && intents.get(c, EntityType.USER, u.id()).isEmpty()) {
          return new EmailClaims.Claim.ActiveUser(ResourceKey.user(u.id()), u.userName());
        }
      }
      return null;
    });
  }

  /**
   * Which other user the member with a leaving user's email is being given to: Okta may delete a
   * person and push them again under a new id while the old key's removal is still to come
   * ({@link SamePerson}), or another user's create in doubt made it. Read for that email alone;
   * rare (a leaving user whose email finds a member no user manages).
   */
  private EmailClaims.Claim claimOn(FulcrumMember m, String besides) {
    return db.read(c -> new EmailClaims(samePersonRule.pushedAgain(c, m.email(), besides),
        intents.matching(c, EntityType.USER, m.email()))).on(m, besides).orElse(null);
  }

  /**
   * Which user other than {@code scimId} member {@code m} belongs to, named as a plan's reason names
   * it: the one whose link manages it, else the one it is being given to ({@link EmailClaims});
   * empty when no other user has it (a person invited by hand). For a removal's check that finds a
   * member with the leaving user's email after the DELETE ({@link MemberRemovalCheck}).
   */
  Optional<String> otherUserOf(FulcrumMember m, String scimId) {
    Optional<String> manages = links.scimIdOf(EntityType.USER, m.id()).filter(other -> !other.equals(scimId));
    if (manages.isPresent()) {
      return Optional.of(ResourceKey.user(manages.get()) + ", which manages it");
    }
    return Optional.ofNullable(claimOn(m, scimId)).map(Object::toString);
  }

  GroupState group(Attempt attempt) {
    String id = attempt.key.scimId();
    Recorded r = recorded(attempt);
    DesiredGroup d = r.group();
    Link link = link(attempt, r);
    Intent intent = intent(attempt, r);
    groups.ensure();
    FulcrumGroup linked = link == null ? null : groups.get(link.fulcrumId()).orElse(null);
    String name = intent != null ? intent.matchKey() : d == null ? null : d.displayName();
    Set<String> managed = links.fulcrumIds(EntityType.GROUP);
    String linkedByAttempt = attempt.pendingLink().map(Link::fulcrumId).orElse(null);
    List<FulcrumGroup> sameName = name == null ? List.of()
        : groups.matching(name).stream().filter(g -> !managed.contains(g.id()) && !g.id().equals(linkedByAttempt)).toList();
    // Pending before linked: a user's push links it no later than it ends its work row, so read
    // in this order a user being pushed shows in one set or both, not in neither (which would leave
    // it out of the member change and cost a second call once it links).
    Set<String> pending = links.pendingMembersOfGroup(id);
    Map<String, String> memberIds = new LinkedHashMap<>(links.memberIdsOfGroup(id));
    Set<String> leaving = linked == null ? Set.of() : links.leavingAmong(linked.memberIds());
    // Fulcrum refuses a whole member change that names one id it does not know: a linked member
    // the list does not show (confirmed as any doubt is) is neither added nor removed here. Its
    // user's reconcile pushes it again: queued if its row is DONE; a row that waits for an
    // operator (dead, held, skipped) is left for the operator.
    members.ensure();
    Set<String> unlisted = new HashSet<>(memberIds.values());
    unlisted.removeIf(m -> members.get(m).isPresent() || attempt.confirmed.contains(m));
    if (!unlisted.isEmpty()) {
      attempt.readById.addAll(confirmMembers(unlisted));
      attempt.confirmed.addAll(unlisted);
    }
    Map<String, String> gone = new LinkedHashMap<>();
    memberIds.forEach((user, member) -> {
      if (members.get(member).isEmpty()) {
        gone.put(user, member);
      }
    });
    memberIds.keySet().removeAll(gone.keySet());
    links.settledUsersAmong(gone.keySet()).forEach(user -> attempt.alsoDue(ResourceKey.user(user)));
    // gone apart from the leaving: a group waits for its leavers' removal, not for members already gone
    Set<String> notMembers = new HashSet<>(gone.values());
    // only a group Okta still has is changed: one to delete needs no read
    if (linked != null && d != null && settings.groupsPush()) {
      Set<String> known = new HashSet<>(leaving);
      known.addAll(notMembers);
      notMembers.addAll(notInOrganization(attempt, linked, known));
    }
    return new GroupState(id, d, link, linked, sameName, intent, memberIds, leaving, pending,
        linked == null || pending.isEmpty() ? Set.of() : links.linkedAmong(linked.memberIds()),
        madeForIt(attempt.key, d, link, intent, sameName), notMembers);
  }

  /**
   * The ids group {@code g} lists that the organization has no member for. Fulcrum may go on listing
   * a deleted member's id in its groups (check --write-test asks): it gives no access, and a member
   * change naming it is refused, all or nothing (review-s9b F2). The member list at hand may be older
   * than the group's copy, and a member invited and put in the group between the two reads would pass
   * for gone and keep the group: so each such id is read again, once per reconcile and after the
   * group was, by id (one) or with the member list (several, or one whose read by id the token's user
   * is refused). An id neither list read shows is taken for gone, as resync takes a member two reads
   * miss ({@link ReadSide}): a list read over several pages may miss a member ({@link MemberList#whole}),
   * but not the same one twice but for a rare shift, and reading each by id instead cost a call per
   * deleted id at every reconcile of a group that collects them (review-s10c S1). A member list at
   * hand read whole after the group's copy (another group's read again, say) already is that read:
   * what it does not show is gone, with no call (review-s10b N1). None of {@code known} (leavers,
   * kept out of the change already, and members found gone) is asked about; a group that lists only
   * members costs nothing.
   */
  private Set<String> notInOrganization(Attempt attempt, FulcrumGroup g, Set<String> known) {
    members.ensure();
    Mirror.Absent absent = members.absentAmong(g.memberIds().stream().filter(m -> !known.contains(m)).toList());
    // the group's stamp is the mirror's copy's now: g's, or one read since, later still (the stricter test)
    boolean readAfterTheGroup = absent.whole() && absent.readStarted() > groups.readEnded(g.id());
    Set<String> unlisted = new LinkedHashSet<>(absent.ids());
    List<String> unread = readAfterTheGroup ? List.of()
        : unlisted.stream().filter(m -> !attempt.confirmed.contains(m)).toList();
    // what this attempt's own read shows: the shared list may be replaced meanwhile by another's read
    Set<String> shown = new HashSet<>();
    Optional<Boolean> byId = unread.size() == 1 ? readById(attempt, unread.get(0)) : Optional.empty();
    if (byId.isPresent()) {
      byId.filter(has -> has).ifPresent(has -> shown.add(unread.get(0)));
    } else if (!unread.isEmpty()) {
      rereadMemberList();
      unread.stream().filter(m -> members.get(m).isPresent()).forEach(shown::add);
    }
    unlisted.removeIf(m -> shown.contains(m) || members.get(m).isPresent());
    // only what both reads missed is settled for the attempt's later rounds: one shown by the second
    // read, and missed by a third after a replan, is a member a page shift hid (review-s10d R1)
    attempt.confirmed.addAll(unread.stream().filter(unlisted::contains).toList());
    return unlisted;
  }

  /** Reads {@code id} by id: whether Fulcrum has it; empty when it refuses the token's user such a read (403). */
  private Optional<Boolean> readById(Attempt attempt, String id) {
    try {
      boolean has = rereadMember(id).isPresent();
      attempt.readById.add(id);
      return Optional.of(has);
    } catch (FulcrumException.Forbidden refused) {
      return Optional.empty();
    }
  }

  /**
   * The unlinked group of the desired name that the audit shows the bridge made (or linked) for this
   * very key, when neither a link nor a create in doubt says which is its own: its link was lost (a
   * restore that could not read the replaced database's links carries the audit, not the link). A
   * second create would leave the first, members and all, in Fulcrum for good. Only the audit tells
   * it from a group a person made by that name. Asked only for an unlinked key whose name Fulcrum
   * has unlinked groups of: rare, and no index serves the audit here.
   */
  private String madeForIt(ResourceKey key, DesiredGroup d, Link link, Intent intent, List<FulcrumGroup> sameName) {
    if (d == null || link != null || intent != null) {
      return null;
    }
    return sameName.stream().map(FulcrumGroup::id).filter(g -> audit.made(key, g)).findFirst().orElse(null);
  }

  /** The key's rows, in one read per round (one connection, three indexed lookups; one more for a deactivated user, two for a deleted one). */
  private Recorded recorded(Attempt attempt) {
    ResourceKey key = attempt.key;
    return attempt.recorded(() -> db.read(c -> {
      DesiredUser user = key.type() == EntityType.USER ? desired.user(c, key.scimId()).orElse(null) : null;
      Link link = links.get(c, key.type(), key.scimId()).orElse(null);
      // A create's restore check in this read, not one of its own (a transaction per create)
      RestoreMarker.Mark restore = readsRestore(key, link) ? restoreMarker.current(c).orElse(null) : null;
      return new Recorded(user,
          key.type() == EntityType.USER && user == null ? tombstones.find(c, key.scimId()).orElse(null) : null,
          key.type() == EntityType.GROUP ? desired.group(c, key.scimId()).orElse(null) : null,
          link,
          intents.get(c, key.type(), key.scimId()).orElse(null),
          key.type() == EntityType.USER && (user == null || !user.active()) ? addresses.find(c, key.scimId()).orElse(null) : null,
          restore);
    }));
  }

  /** The restore marker as this round sees it: read with the key's rows when it has no link, else now. */
  Optional<RestoreMarker.Mark> restoreMark(Attempt attempt) {
    Recorded r = recorded(attempt);
    return readsRestore(attempt.key, r.link()) ? Optional.ofNullable(r.restore()) : restoreMarker.current();
  }

  private static boolean readsRestore(ResourceKey key, Link link) {
    return key.type() == EntityType.USER && link == null;
  }

  /** The key's link as this round sees it (null: none). */
  Link link(Attempt attempt) {
    return link(attempt, recorded(attempt));
  }

  /** The key's link: the one its attempt made and has not seen committed, else the database's. */
  private static Link link(Attempt attempt, Recorded r) {
    return attempt.pendingLink().orElse(r.link());
  }

  /** Whether an earlier create of the key is in doubt: its intent was there when this round began. */
  boolean createInDoubt(Attempt attempt) {
    return intent(attempt, recorded(attempt)) != null;
  }

  /** Linking removes the intent in the same transaction: a pending link means no create in doubt. */
  private static Intent intent(Attempt attempt, Recorded r) {
    return attempt.pendingLink().isPresent() ? null : r.intent();
  }

  /**
   * How long {@code plan} must wait before it may forget a create in doubt that left nothing in
   * Fulcrum (the key was deleted or deactivated meanwhile); empty when it need not. A create whose
   * answer was lost (a timeout, a 5xx) may sit in Fulcrum's queue and land after the list was read;
   * forgetting its intent then would leave a member that nothing records, who keeps access. The
   * window counts from the create's last attempt (its audit row is made when the call answered or
   * failed): at a low fulcrum.calls_per_hour a call can wait for its slot far longer than the window.
   */
  Optional<Duration> createMayStillLand(Attempt attempt, Plan plan) {
    if (plan.actions().stream().noneMatch(a -> a instanceof Action.Unlink u && u.fulcrumId() == null)) {
      return Optional.empty();
    }
    Intent intent = intent(attempt, recorded(attempt));
    if (intent == null) {
      return Optional.empty();
    }
    Action.Kind create = attempt.key.type() == EntityType.USER ? Action.Kind.CREATE_MEMBER : Action.Kind.CREATE_GROUP;
    Instant sent = audit.lastAttempt(attempt.key, create, intent.createdAt()).orElse(intent.createdAt());
    Duration left = Duration.between(clock.instant(), sent.plus(settings.createLandsWithin()));
    if (left.isNegative() || left.isZero()) {
      return Optional.empty();
    }
    // capped: an intent written by a node whose clock ran ahead must not hold the key longer
    return Optional.of(left.compareTo(settings.createLandsWithin()) > 0 ? settings.createLandsWithin() : left);
  }

  /**
   * SCIM ids of the managed groups whose Fulcrum copy lists the key's member though Okta does not
   * want it there, for a linked user: those Okta no longer lists an active user in; every one for a
   * user Okta deactivated or deleted. A group plan leaves a member whose user is inactive to that
   * user's own removal while it is queued or running, and looks again later by itself; this finds
   * those groups sooner once the user is reactivated instead (the removal held, or not run yet), or
   * the removal fails, is held or is set aside, and finds one the person was put in by hand. The
   * group list is read at most once per mirror age, and usually is already.
   */
  List<String> groupsStillListing(Attempt attempt) {
    Recorded r = recorded(attempt);
    Link link = link(attempt, r);
    // no managed group, no group list read: a leaver's failed removal asks at every attempt
    if (!settings.groupsPush() || link == null || !links.any(EntityType.GROUP)) {
      return List.of();
    }
    boolean leaving = r.user() == null || !r.user().active();
    try {
      groups.ensure();
    } catch (FulcrumException.Unavailable | FulcrumException.Forbidden e) {
      // best effort: the user's own change is made; the nightly resync finds such a group too
      log.warn("could not read Fulcrum's groups to check {}'s memberships: {}", attempt.key, e.getMessage());
      return List.of();
    }
    List<FulcrumGroup> holding = groups.filter(g -> g.memberIds().contains(link.fulcrumId()));
    if (holding.isEmpty()) {
      return List.of();
    }
    Set<String> listed = leaving ? Set.of() : Set.copyOf(db.read(c -> desired.groupsOf(c, attempt.key.scimId())));
    return holding.stream().flatMap(g -> links.scimIdOf(EntityType.GROUP, g.id()).stream())
        .filter(id -> !listed.contains(id)).toList();
  }

  /**
   * Which queued leavers without a link ({@link RemovalGuard.Unlinked}) have a plan that removes a
   * member, as the member list at hand tells: one with the leaver's email, not the token owner's,
   * that its create in doubt made or that is adopted to be removed (users.adopt_existing). Another
   * user's member with that email counts too (the person pushed again under a new id, then the old
   * id deleted: rare, and brief); asking each one's link would cost a read per leaver per check.
   */
  RemovalGuard.Removing removingAMember() {
    PlanContext ctx = context();
    return new RemovalGuard.Removing(ctx.adoptExisting(),
        u -> members.matching(u.email()).stream().anyMatch(m -> !ctx.isOwner(m.userId(), m.email())));
  }

  /** Those of {@code memberIds} linked to a SCIM user, read by index (never every user link: asked per group plan). */
  Set<String> linkedAmong(Collection<String> memberIds) {
    return links.linkedAmong(memberIds);
  }

  PlanContext context() {
    members.ensure();
    FulcrumMember ownerMember = ownerMember();
    FulcrumUser o = owner();
    return new PlanContext(o, ownerMember == null ? null : ownerMember.id(),
        ownerMember != null && ownerMember.userId() != null, roles(), settings.adoptExisting(), reassignTarget(),
        settings.groupsPush());
  }

  /**
   * The token owner's membership in the member list: the one with the owner's account id, else
   * (a list without account ids) the one with its email. The owner is learned once, so an email
   * the owner changed since is taken from the membership: a member given the former address must
   * not pass for the owner. The email index answers while the address holds; after a change, one
   * scan per list read finds the membership by id. A list without account ids cannot show the
   * change: the owner is read again instead, once per list read that shows no membership for it
   * or one under other names than the owner's (someone invited by hand at the former address in
   * the same read: rare, only after such a change), and looked for under the address it has now.
   * Each membership found and confirmed ({@link #confirmed}) is remembered for the Applier's last
   * check ({@link #ownerMemberships}); one only the address tells stands for this read alone.
   */
  private FulcrumMember ownerMember() {
    // One worker at a time: another's plan on the same list read would otherwise see the read-again
    // mark set (or the owner not yet replaced) and take a membership only the former address matches
    // for the owner's, unread. Waiting costs nothing but once a list read, when one reads the owner.
    synchronized (ownerLook) {
      return ownerMemberLocked();
    }
  }

  private FulcrumMember ownerMemberLocked() {
    FulcrumMember found = ownerMemberAsKnown();
    long loads = members.loads();
    if ((found == null || !confirmed(found)) && ownerReadAtLoad != loads) {
      FulcrumUser was = owner();
      FulcrumUser now = client.tokenOwner();
      // Marked only once read: a failed read (a 5xx, a 429, a timeout) fails this plan, and the next
      // reads again rather than take a membership only the former address matches for the owner's.
      ownerReadAtLoad = loads;
      owner = now;
      if (now.email() != null && !now.email().equalsIgnoreCase(was.email())) {
        log.info("the Fulcrum API token's owner is now {} (was {}), read again: the member list showed {} for {}",
            now.email(), was.email(), found == null ? "no membership" : "a membership under other names", was.email());
      }
      found = ownerMemberAsKnown();
    }
    if (found != null && confirmed(found)) {
      ownerMemberships.add(found.id());
    }
    return found;
  }

  /**
   * Whether {@code m}, found as the owner's membership, is surely the owner's for as long as it
   * lasts: its account id says so, or, in a list without account ids, it has the owner's names as
   * well as its address. Only such a one is remembered past the list read it was found in: one
   * only the address told may be someone given the owner's former address, and, remembered, it
   * would pass for the owner's until a restart (never changed or removed, its deprovisioning DEAD).
   */
  private boolean confirmed(FulcrumMember m) {
    FulcrumUser o = owner();
    return m.userId() != null || sameName(m.firstName(), o.firstName()) && sameName(m.lastName(), o.lastName());
  }

  private static boolean sameName(String a, String b) {
    return (a == null ? "" : a.strip()).equalsIgnoreCase(b == null ? "" : b.strip());
  }

  private FulcrumMember ownerMemberAsKnown() {
    FulcrumUser o = owner();
    Optional<FulcrumMember> byEmail = members.matching(o.email()).stream().findFirst();
    if (byEmail.isPresent() && (byEmail.get().userId() == null || byEmail.get().userId().equals(o.id()))) {
      return byEmail.get();
    }
    if (o.id() == null) {
      return null;
    }
    long loads = members.loads();
    if (ownerScannedAtLoad != loads) {
      ownerScannedAtLoad = loads;
      members.find(m -> o.id().equals(m.userId())).filter(m -> m.email() != null).ifPresent(m -> {
        log.info("the Fulcrum API token's owner is now {} (was {})", m.email(), o.email());
        owner = new FulcrumUser(o.id(), m.email(), o.firstName(), o.lastName());
      });
    }
    return members.matching(owner().email()).stream().filter(m -> o.id().equals(m.userId())).findFirst().orElse(null);
  }

  /**
   * The ids of the token owner's membership as the member list shows it now and as any plan of
   * this process found and confirmed it ({@link #confirmed}): a membership's id never changes, nor
   * does the token's owner while the token works, so one the list no longer shows under the owner's
   * email is still the owner's. What the Applier checks last, whatever a plan says
   * ({@link OwnerMembershipRefused}): on the copy of the member list the plan was made on, read
   * again for no write.
   */
  Set<String> ownerMemberships() {
    FulcrumMember now = ownerMember();
    if (now == null || ownerMemberships.contains(now.id())) {
      return Set.copyOf(ownerMemberships);
    }
    Set<String> ids = new HashSet<>(ownerMemberships);
    ids.add(now.id());
    return Set.copyOf(ids);
  }

  /** Whether the last plan found users.reassign_records_to set but its member gone. */
  boolean reassignTargetMissing() {
    return !reassignTargetPresent.get();
  }

  /** users.reassign_records_to as configured, whether or not that member is still there. */
  String configuredReassignTarget() {
    return settings.reassignTo();
  }

  /**
   * users.reassign_records_to while that member is in the organization, else null (records left
   * unassigned). Fulcrum refuses a removal whose target is gone (422), so once the target itself
   * is deprovisioned, or removed by hand, every later removal would fail and each person keep
   * access. A target the list does not show is looked up once per list read before records go
   * unassigned: a list can miss a member (pages read while the organization changes).
   */
  private String reassignTarget() {
    String target = settings.reassignTo();
    if (target == null || members.get(target).isPresent()) {
      reassignTargetFound(target, true);
      return target;
    }
    long loads = members.loads();
    if (reassignCheckedAtLoad != loads) {
      reassignCheckedAtLoad = loads;
      if (rereadMember(target).isPresent()) {
        reassignTargetFound(target, true);
        return target;
      }
    }
    reassignTargetFound(target, false);
    return null;
  }

  private void reassignTargetFound(String target, boolean present) {
    if (reassignTargetPresent.getAndSet(present) != present) {
      if (present) {
        log.info("users.reassign_records_to: membership {} is in the organization again; removed members' records go to it", target);
      } else {
        log.error("users.reassign_records_to: membership {} is no longer in the organization; removed members' records "
            + "stay unassigned until it names an existing member (fulcrum-scim check verifies it)", target);
      }
    }
  }

  /** The token owner if already learned, without asking Fulcrum. */
  Optional<FulcrumUser> knownOwner() {
    return Optional.ofNullable(owner);
  }

  /**
   * Learned once: the token's owner does not change while the token works. Read again only when the
   * member list shows no membership for it ({@link #ownerMember}).
   */
  FulcrumUser owner() {
    FulcrumUser o = owner;
    if (o == null) {
      o = client.tokenOwner();
      owner = o;
    }
    return o;
  }

  private synchronized RoleTable roles() {
    Instant now = clock.instant();
    if (roles == null || !rolesReadAt.plus(settings.mirrorMaxAge()).isAfter(now)) {
      roles = new RoleTable(client.roles(), settings.roleMap(), settings.defaultRole(), settings.allowOwner());
      rolesReadAt = now;
    }
    return roles;
  }

  /** How many list reads the mirrors made: tells a fresh read from a cached one. */
  long loads() {
    return members.loads() + groups.loads();
  }

  /**
   * A new cycle begins: lists read from now on are fresh for it, and lists read before are in doubt
   * (someone may have changed Fulcrum since).
   */
  synchronized void beginCycle() {
    memberDoubts.begin(members);
    groupDoubts.begin(groups);
  }

  /**
   * Confirms the members the plan's decision rests on: nothing when the member list was read during
   * this cycle; one GET for the first doubt of a cycle; a fresh list (one call for 20,000 members)
   * once a second doubt shows a single GET is no longer the cheaper way.
   */
  Set<String> confirmMembers(Collection<String> ids) {
    return confirm(ids, members, memberDoubts, id -> client.member(id));
  }

  /** As {@link #confirmMembers}, for groups. */
  Set<String> confirmGroups(Collection<String> ids) {
    return confirm(ids, groups, groupDoubts, id -> client.group(id));
  }

  /**
   * Reads the member list again unless this cycle read it: what it does not show is then not there.
   * Returns whether it read it (false: the copy at hand is already this cycle's).
   */
  boolean confirmMemberList() {
    return confirmList(members, memberDoubts);
  }

  /** As {@link #confirmMemberList}, for groups. */
  boolean confirmGroupList() {
    return confirmList(groups, groupDoubts);
  }

  private boolean confirmList(Mirror<?> mirror, Doubts doubts) {
    if (doubts.fresh(mirror)) {
      return false;
    }
    reread(mirror);
    return true;
  }

  private void reread(Mirror<?> mirror) {
    rereads.incrementAndGet();
    mirror.invalidate();
    mirror.ensure();
  }

  /** Returns the ids it read one by one. */
  private <T> Set<String> confirm(Collection<String> ids, Mirror<T> mirror, Doubts doubts, Function<String, Optional<T>> get) {
    Set<String> read = new HashSet<>();
    for (String id : ids) {
      switch (doubts.next(mirror)) {
        case FRESH -> { }
        case GET -> {
          rereads.incrementAndGet();
          read.add(id);
          get.apply(id).ifPresentOrElse(mirror::putRead, () -> mirror.remove(id));
        }
        case LIST -> reread(mirror);
      }
    }
    return read;
  }

  /**
   * Reads the member list anew, even when this cycle read it already: the read must come after
   * writes it is to show (the cycle's removals, {@link RemovalChecks}). The mirror follows.
   */
  void rereadMemberList() {
    reread(members);
  }

  /** Calls one read of the member list takes: one a page of 20,000, for as many members as the copy at hand has. */
  int memberListCalls() {
    return listCalls(members);
  }

  /** As {@link #rereadMemberList}, for groups: after the cycle's group member changes ({@link RemovalChecks}). */
  void rereadGroupList() {
    reread(groups);
  }

  /** As {@link #memberListCalls}, for groups. */
  int groupListCalls() {
    return listCalls(groups);
  }

  private static int listCalls(Mirror<?> mirror) {
    return Math.max(1, (mirror.size() + FulcrumSettings.MAX_PAGE_SIZE - 1) / FulcrumSettings.MAX_PAGE_SIZE);
  }

  /** Reads one member again (a removal's check, a doubt); the mirror follows. */
  Optional<FulcrumMember> rereadMember(String id) {
    rereads.incrementAndGet();
    Optional<FulcrumMember> now = client.member(id);
    now.ifPresentOrElse(members::putRead, () -> members.remove(id));
    return now;
  }

  /** As {@link #rereadMember}, for a group. */
  Optional<FulcrumGroup> rereadGroup(String id) {
    rereads.incrementAndGet();
    Optional<FulcrumGroup> now = client.group(id);
    now.ifPresentOrElse(groups::putRead, () -> groups.remove(id));
    return now;
  }

  /** Per list: how it was read at the start of the cycle and whether a GET was spent on it since. */
  private static final class Doubts {
    enum Step { FRESH, GET, LIST }

    private long loadsAtCycleStart;
    private boolean getSpent;

    synchronized void begin(Mirror<?> mirror) {
      loadsAtCycleStart = mirror.loads();
      getSpent = false;
    }

    synchronized boolean fresh(Mirror<?> mirror) {
      return mirror.loads() > loadsAtCycleStart;
    }

    synchronized Step next(Mirror<?> mirror) {
      if (fresh(mirror)) {
        return Step.FRESH;
      }
      if (!getSpent) {
        getSpent = true;
        return Step.GET;
      }
      return Step.LIST;
    }
  }

  long rereads() {
    return rereads.get();
  }

  void invalidate() {
    members.invalidate();
    groups.invalidate();
  }
}
