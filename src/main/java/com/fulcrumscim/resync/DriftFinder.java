package com.fulcrumscim.resync;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.DeletedUser;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.MemberAddresses;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.RestoreMarker;
import com.fulcrumscim.journal.Tombstones;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.reconcile.Action;
import com.fulcrumscim.reconcile.Link;
import com.fulcrumscim.reconcile.LinkStore;
import com.fulcrumscim.reconcile.Plan;
import com.fulcrumscim.reconcile.Planner;
import com.fulcrumscim.reconcile.ReadSide;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.reconcile.RestoreHold;
import com.fulcrumscim.reconcile.SamePerson;
import com.fulcrumscim.reconcile.UserState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Compares a {@link FulcrumSnapshot} with the desired state for the managed entities only (every
 * link, plus desired users and groups not linked yet) through the reconciler's own read side, and turns
 * each planned action into report lines. Unmanaged entities appear only as collisions.
 */
final class DriftFinder {
  /** Users read at a time: a page's users and links are all the desired state resync holds. */
  static final int PAGE = 1_000;
  private final Database db;
  private final ReconcileSettings settings;
  private final Clock clock;
  private final DesiredState desired;
  private final LinkStore links;
  private final OrphanFinder orphans;
  private final Tombstones tombstones = new Tombstones();
  private final MemberAddresses addresses = new MemberAddresses();
  private final SamePerson samePerson;

  DriftFinder(Database db, ReconcileSettings settings, Clock clock) {
    this.db = db;
    this.settings = settings;
    this.clock = clock;
    this.desired = new DesiredState(db);
    this.samePerson = new SamePerson(desired);
    this.links = new LinkStore(db);
    this.orphans = new OrphanFinder(db, clock);
  }

  /**
   * Keys in scope, users before groups; a key without drift has no rows. The users are walked a
   * page at a time ({@link #PAGE}), each read with its link as it is planned: held all at once (the
   * users, their links, held addresses and groups' members), 100k users took more heap than the
   * snapshot of Fulcrum itself.
   */
  List<KeyDrift> find(FulcrumSnapshot snap) {
    // The snapshot client answers every read, re-reads included, from the snapshot: no calls.
    ReadSide planning = ReadSide.over(new SnapshotClient(snap), db, settings, clock);
    List<KeyDrift> out = new ArrayList<>();
    List<Orphan> orphaned = orphans.find(snap, planning.context(), settings.groupsPush());
    Run run = new Run(snap, orphaned.stream().map(Orphan::fulcrumId).collect(Collectors.toSet()), waitingForAnOperator(),
        new WorkQueue(db, clock).heldMembers());
    Function<KeyDrift, KeyDrift> leftTo = found -> leftTo(run.operators(), found);
    // Each user is planned once, with its link as read then: the reconciler may deactivate, link or
    // unlink a user between the passes below (ids only: a few MB at 100k users).
    Set<String> planned = new HashSet<>();
    eachUser(true, (u, link) -> {
      planned.add(u.id());
      out.add(leftTo.apply(user(u.id(), Person.of(u), link, planning, run)));
    });
    // the links of users that are not active: the walk above skipped them
    for (Link link : links.ofUsersNotActive()) {
      if (planned.add(link.scimId())) {
        Person p = db.read(c -> {
          Optional<DesiredUser> u = desired.user(c, link.scimId());
          return u.isPresent() ? u.map(Person::of) : tombstones.find(c, link.scimId()).map(Person::of);
        }).orElse(null);
        out.add(leftTo.apply(user(link.scimId(), p, link, planning, run)));
      }
    }
    // A user Okta deactivated or deleted that no link points to (its removal done, or its push never
    // made a member) is not managed, but a member with its email keeps the access Okta took away:
    // one invited by hand before Okta assigned the person, or again after the removal. The planner
    // says so (with users.adopt_existing it adopts and removes that member). Reported when found,
    // never counted as checked: the report's "managed users and groups" are not such users. One
    // linked since the read above (the reconciler adopting its member) is managed: planned and counted.
    BiConsumer<Person, Link> leaver = (p, link) -> {
      KeyDrift k = leftTo.apply(user(p.id(), p, link, planning, run));
      if (link != null) {
        out.add(k);
      } else if (!k.rows().isEmpty()) {
        out.add(k.reportedOnly());
      }
    };
    eachUser(false, (u, link) -> {
      if (planned.add(u.id())) {
        leaver.accept(Person.of(u), link);
      }
    });
    db.read(c -> {
      Map<DeletedUser, Link> deleted = new LinkedHashMap<>();
      for (DeletedUser g : tombstones.all(c)) {
        if (!planned.contains(g.id()) && desired.user(c, g.id()).isEmpty()) {
          deleted.put(g, links.get(c, EntityType.USER, g.id()).orElse(null));
        }
      }
      return deleted;
    }).forEach((g, link) -> leaver.accept(Person.of(g), link));
    if (settings.groupsPush()) {
      Map<String, String> names = desired.groupNames();
      Map<String, Link> groupLinks = byScimId(links.all(EntityType.GROUP));
      scope(names.keySet(), groupLinks).forEach(id ->
          out.add(leftTo.apply(group(ResourceKey.group(id), names.get(id), groupLinks.get(id), planning.plan(ResourceKey.group(id)),
              snap))));
    }
    orphaned.forEach(o -> out.add(orphan(o)));
    return out;
  }

  /**
   * The users Okta has {@code active} (or not), in creation order, each with its link (null: none),
   * read a page at a time.
   */
  private void eachUser(boolean active, BiConsumer<DesiredUser, Link> then) {
    long after = DesiredState.UserPage.START;
    while (true) {
      long from = after;
      List<Linked> page = new ArrayList<>();
      DesiredState.UserPage read = db.read(c -> {
        DesiredState.UserPage p = desired.usersAfter(c, from, PAGE);
        for (DesiredUser u : p.users()) {
          if (u.active() == active) {
            page.add(new Linked(u, links.get(c, EntityType.USER, u.id()).orElse(null)));
          }
        }
        return p;
      });
      if (read.users().isEmpty()) {
        return;
      }
      page.forEach(l -> then.accept(l.user(), l.link()));
      after = read.lastSeq();
    }
  }

  private record Linked(DesiredUser user, Link link) {}

  private KeyDrift user(String id, Person p, Link link, ReadSide planning, Run run) {
    ResourceKey key = ResourceKey.user(id);
    return user(key, p, link, planning.plan(key), run);
  }

  /** Keys whose work row waits for an operator: resync leaves them to the operator (see WorkQueue#nudge). */
  private Map<ResourceKey, WorkState> waitingForAnOperator() {
    WorkQueue queue = new WorkQueue(db, clock);
    Map<ResourceKey, WorkState> out = new LinkedHashMap<>();
    for (WorkState state : List.of(WorkState.DEAD, WorkState.HELD)) {
      queue.list(state, Integer.MAX_VALUE).forEach(w -> out.put(w.key(), state));
    }
    return out;
  }

  /**
   * A key resync would fix whose row waits for an operator is reported as theirs: resync does not
   * revive a dead row (a change failing every night would never end), nor let a held removal past
   * the guard. The plan says what the operator's command is.
   */
  private static KeyDrift leftTo(Map<ResourceKey, WorkState> operators, KeyDrift found) {
    WorkState state = operators.get(found.key());
    if (!found.fixable() || state == null) {
      return found;
    }
    String after = state == WorkState.DEAD
        ? "once an operator retries it: its change is DEAD (`fulcrum-scim journal retry " + found.key() + "`)"
        : "once an operator approves it: its " + (takesRoleBack(found) ? "role take-back" : "removal")
            + " is HELD by the mass-removal guard (`fulcrum-scim approve-removals`)";
    List<Drift> rows = found.rows().stream().map(r -> r.kind() != Drift.Kind.FIX ? r
        : new Drift(r.key(), r.entity(), r.field(), r.fulcrumHas(), r.oktaWants(), r.action() + " " + after, Drift.Kind.BLOCKED,
            r.keepsAccess())).toList();
    return new KeyDrift(found.key(), rows, false, null, false, state == WorkState.HELD && found.removal(), found.managed());
  }

  private static boolean takesRoleBack(KeyDrift found) {
    return found.rows().stream().anyMatch(r -> r.action().equals(Planner.TAKE_BACK));
  }

  private static KeyDrift orphan(Orphan o) {
    boolean member = o.type() == Orphan.Type.MEMBER;
    Lines lines = new Lines(o.createdFor(), (member ? "orphan member " : "orphan group ") + o.label());
    String has = o.label() + " (" + o.fulcrumId() + "), created or linked by the bridge for " + o.createdFor() + ", no link";
    if (o.remove()) {
      lines.fix(member ? "member" : "group", has, member ? "gone (inactive or deleted in Okta)" : "gone (Okta no longer wants it)",
          "remove the orphan");
    } else {
      lines.add(Drift.Kind.ORPHAN, member ? "member" : "group", has, o.wantedBy(), "report only: Okta still wants it");
    }
    return new KeyDrift(o.createdFor(), lines.rows, o.remove(), o, false);
  }

  private static Map<String, Link> byScimId(List<Link> all) {
    Map<String, Link> out = new LinkedHashMap<>();
    all.forEach(l -> out.put(l.scimId(), l));
    return out;
  }

  private static List<String> scope(Set<String> wanted, Map<String, Link> linked) {
    List<String> ids = new ArrayList<>(wanted);
    linked.keySet().stream().filter(id -> !wanted.contains(id)).forEach(ids::add);
    return ids;
  }

  /** What one resync run compares against, the same for every key. */
  private record Run(FulcrumSnapshot snap, Set<String> orphanIds, Map<ResourceKey, WorkState> operators,
      Map<ResourceKey, WorkQueue.StoppedOn> stoppedOn) {}

  /**
   * A user as resync names it: Okta's (active or deactivated), or a deleted one's tombstone;
   * {@code left} says how Okta took a user that is not active away.
   */
  private record Person(String id, String userName, String email, boolean active, String left, List<String> lookedUpBy) {
    static Person of(DesiredUser u) {
      return new Person(u.id(), u.userName(), u.email(), u.active(), Planner.left(u), UserState.lookedUpBy(u, null, null));
    }

    static Person of(DeletedUser g) {
      return new Person(g.id(), g.userName(), g.email(), false, "deleted in Okta", UserState.lookedUpBy(null, g, null));
    }
  }

  /** {@code p}: null for a deleted user that has no tombstone (deleted before tombstones were kept). */
  private KeyDrift user(ResourceKey key, Person p, Link link, Plan plan, Run run) {
    FulcrumSnapshot snap = run.snap();
    Optional<FulcrumMember> linked = link == null ? Optional.empty() : snap.member(link.fulcrumId());
    String entity = "user " + (p != null ? p.userName() : linked.map(FulcrumMember::email).orElse(key.scimId()));
    Lines lines = new Lines(key, entity);
    Optional<FulcrumMember> collision = collision(p, link, plan, snap);
    if (collision.filter(m -> run.orphanIds().contains(m.id())).isPresent()) {
      if (plan.isBlocked() && plan.blocked().keepsAccess()) {
        return lines.done(false, plan); // blocked on the bridge's own orphan: its line reports it, and resync removes it
      }
      collision = Optional.empty();
    }
    if (collision.isPresent() && p.active()) {
      FulcrumMember m = collision.get();
      lines.add(Drift.Kind.COLLISION, "email", "unmanaged member " + m.email() + " (" + m.id() + ")", p.email(),
          "report only: the unmanaged member is left untouched"
              + (settings.adoptExisting() ? "" : " (users.adopt_existing: false)"));
      return lines.done(false, plan);
    }
    if (collision.isPresent()) {
      // the addresses its own member had, read for such a person only
      MemberAddresses.Held held = db.read(c -> addresses.find(c, p.id())).orElse(null);
      keepsAccess(lines, p, held, collision.get(), run.operators().get(key) == WorkState.DEAD, run.stoppedOn().get(key));
      if (plan.isBlocked()) {
        return lines.done(false, plan); // blocked on this very member: the row above says it all
      }
    }
    boolean stale = link != null && linked.isEmpty();
    if (plan.isBlocked() && RestoreMarker.isHold(plan.blocked().reason())) {
      lines.add(Drift.Kind.BLOCKED, "member", stale ? "missing (link to " + link.fulcrumId() + " is stale)" : "no member",
          p.email(), plan.blocked().reason());
      return lines.done(false, plan);
    }
    for (Action a : plan.actions()) {
      switch (a.kind()) {
        case CREATE_MEMBER -> {
          MemberFields f = ((Action.CreateMember) a).fields();
          lines.fix("member", stale ? "missing (link to " + link.fulcrumId() + " is stale)" : "no member",
              f.email() + " as " + snap.roleName(f.roleId()), stale ? "recreate" : "create");
        }
        case UPDATE_MEMBER -> {
          Action.UpdateMember u = (Action.UpdateMember) a;
          FulcrumMember m = snap.member(u.memberId()).orElseThrow();
          MemberFields f = u.changes();
          field(lines, "email", m.email(), f.email());
          field(lines, "first_name", m.firstName(), f.firstName());
          field(lines, "last_name", m.lastName(), f.lastName());
          String has = m.roleId() == null ? null : snap.roleName(m.roleId());
          if (u.takesRoleBack()) {
            lines.fix("role", has, snap.roleName(f.roleId()) + " (the default role)", Planner.TAKE_BACK);
          } else {
            field(lines, "role", has, f.roleId() == null ? null : snap.roleName(f.roleId()));
          }
        }
        case REMOVE_MEMBER -> {
          String id = ((Action.RemoveMember) a).memberId();
          lines.fix("member", snap.emailOf(id) + " (" + id + ")", "gone (" + (p == null ? "deleted in Okta" : p.left()) + ")",
              "remove");
        }
        case LINK -> linkLine(lines, (Action.Link) a, snap.emailOf(((Action.Link) a).fulcrumId()));
        case UNLINK -> {
          if (plan.actions().size() == 1) {
            lines.fix("link", "member " + (link == null ? "-" : link.fulcrumId()) + " gone", "-", "forget the stale link");
          }
        }
        case HAND_OVER -> {
          Action.HandOver o = (Action.HandOver) a;
          lines.fix("link", "member " + snap.emailOf(o.memberId()) + " (" + o.memberId() + ")", "user/" + o.heir(),
              "hand over to the user Okta pushed the person again as");
        }
        case REFUSE -> lines.add(Drift.Kind.BLOCKED, "role", "-", "-", "blocked: " + ((Action.Refuse) a).reason());
        case SKIP, REMEMBER_ROLE -> { } // left alone on purpose, or the bridge's own record: not drift
        default -> throw new IllegalStateException("a user plan never holds " + a);
      }
    }
    blocked(lines, plan);
    // a reported member alone gives the reconciler nothing to fix
    return lines.done(!lines.has(Drift.Kind.BLOCKED) && lines.has(Drift.Kind.FIX), plan);
  }

  /**
   * An unmanaged member with the email of a user Okta deactivated or deleted: reported, never
   * removed. A row DEAD on it (blocked, or its stale link kept) waits for `journal retry` once the
   * member is gone. One whose change stopped on another member ({@code stoppedOn}, removed by hand
   * since) is reported as maybe someone else's: the address may have been given to a new hire
   * invited by hand, whose own account "remove it" would take away (review-s8g F1). Still counted
   * as keeping access, as it may be the person invited again. So is one found under an address Okta
   * gave the user that its own member never had in Fulcrum, as the reconciler's plan says (review-s13b F1),
   * unless an operator set the change that stopped on that very member aside ({@code journal skip}, as
   * its reason advises when the member is someone else's): then reported, not counted, or every
   * nightly resync would page for a person the operator has already looked at (review-s14b F1).
   */
  private static void keepsAccess(Lines lines, Person p, MemberAddresses.Held held, FulcrumMember m, boolean dead,
      WorkQueue.StoppedOn stopped) {
    String has = "unmanaged member " + m.email() + " (" + m.id() + ")";
    String stoppedOn = stopped == null ? null : stopped.member();
    if (held != null && !held.reached(m.email())) {
      boolean setAside = stopped != null && stopped.setAside() && m.id().equals(stoppedOn);
      lines.add(Drift.Kind.COLLISION, "member", has, "gone (" + p.left() + ")", "report only: "
          + Planner.neverItsMembers(p.userName(), "the user was " + p.left(), m)
          + (dead ? " (`fulcrum-scim journal show " + lines.key + "`)" : "")
          + (setAside ? "; an operator set its change aside on this member (`journal skip`) as someone else's, so it is"
              + " not counted as keeping access (if it is this person after all, remove it in Fulcrum)" : ""),
          !setAside);
      return;
    }
    if (stoppedOn != null && !stoppedOn.equals(m.id())) {
      lines.add(Drift.Kind.COLLISION, "member", has, "gone (" + p.left() + ")", "report only: user " + p.userName()
          + ": the user was " + p.left() + ", and its change stopped on Fulcrum member " + stoppedOn + ", no longer under"
          + " the address; Fulcrum member " + m.id() + " (" + m.email() + "), not managed by the bridge, is: it may be"
          + " another person's own account (the address given to someone since and invited by hand), or the person"
          + " invited again. Ask whose it is before removing anything (`fulcrum-scim journal show " + lines.key + "`)", true);
      return;
    }
    lines.add(Drift.Kind.COLLISION, "member", has,
        "gone (" + p.left() + ")", "report only: " + Planner.keepsAccess(p.userName(), "the user was " + p.left(), m)
            + "; the bridge never removes a member it does not manage: remove it in Fulcrum"
            + (dead ? ", then `fulcrum-scim journal retry " + lines.key + "`" : ""), true);
  }

  /**
   * An unmanaged member that has the email of this user (for a leaver: the address it left with, else
   * its current one, as the reconciler looks it up) and that the plan does not link (adopt):
   * for an active user the reconciler could only fail on it; for one Okta deactivated or deleted it
   * keeps access Okta took away, unless an active user with that email is the person pushed again
   * under a new id ({@link SamePerson}: that user's own line reports the member; anyone else given
   * the address is a different person). Resync reports it and leaves both
   * alone. The token owner is never one: the plan says what the owner's departure needs.
   */
  private Optional<FulcrumMember> collision(Person p, Link link, Plan plan, FulcrumSnapshot snap) {
    if (p == null) {
      return Optional.empty();
    }
    return p.lookedUpBy().stream().flatMap(e -> snap.memberByEmail(e).stream()).findFirst()
        .filter(m -> link == null || !m.id().equals(link.fulcrumId()))
        .filter(m -> !snap.owner().id().equals(m.userId()) && !m.email().equalsIgnoreCase(snap.owner().email()))
        .filter(m -> links.scimIdOf(EntityType.USER, m.id()).isEmpty())
        .filter(m -> plan.actions().stream().noneMatch(a -> a instanceof Action.Link l && l.fulcrumId().equals(m.id())))
        .filter(m -> p.active() || db.read(c -> samePerson.pushedAgain(c, m.email(), p.id())).isEmpty());
  }

  /** {@code name}: the group's display name in Okta, null when Okta has no such group (any more). */
  private KeyDrift group(ResourceKey key, String name, Link link, Plan plan, FulcrumSnapshot snap) {
    Optional<FulcrumGroup> linked = link == null ? Optional.empty() : snap.group(link.fulcrumId());
    String entity = "group " + (name != null ? name : linked.map(FulcrumGroup::name).orElse(key.scimId()));
    Lines lines = new Lines(key, entity);
    boolean stale = link != null && linked.isEmpty();
    for (Action a : plan.actions()) {
      switch (a.kind()) {
        case CREATE_GROUP -> lines.fix("group", stale ? "missing (deleted in Fulcrum; link to " + link.fulcrumId() + " is stale)"
            : "no group", ((Action.CreateGroup) a).name(), stale ? "recreate" : "create");
        case RENAME_GROUP -> {
          Action.RenameGroup r = (Action.RenameGroup) a;
          lines.fix("name", linked.map(FulcrumGroup::name).orElse("-"), r.name(), "rename back");
        }
        case DELETE_GROUP -> lines.fix("group", linked.map(FulcrumGroup::name).orElse("-"), "gone (deleted in Okta)", "delete");
        case CHANGE_GROUP_MEMBERS -> {
          Action.ChangeGroupMembers c = (Action.ChangeGroupMembers) a;
          if (!c.remove().isEmpty()) {
            lines.fix("members", emails(c.remove(), snap), "not members", "remove (Okta owns the members)");
          }
          if (!c.add().isEmpty()) {
            lines.fix("members", "not members", emails(c.add(), snap), "add");
          }
        }
        case LINK -> linkLine(lines, (Action.Link) a, snap.group(((Action.Link) a).fulcrumId()).map(FulcrumGroup::name).orElse("-"));
        case UNLINK -> {
          if (plan.actions().size() == 1) {
            lines.fix("link", "group " + (link == null ? "-" : link.fulcrumId()) + " gone", "-", "forget the stale link");
          }
        }
        default -> throw new IllegalStateException("a group plan never holds " + a);
      }
    }
    blocked(lines, plan);
    if (!plan.waitingFor().isEmpty()) {
      lines.add(Drift.Kind.WAITING, "members", "-", "SCIM users " + String.join(", ", plan.waitingFor()),
          "wait: their push is still in progress");
    }
    return lines.done(!lines.has(Drift.Kind.BLOCKED), plan);
  }

  private static void blocked(Lines lines, Plan plan) {
    if (plan.isBlocked()) {
      lines.add(Drift.Kind.BLOCKED, "-", "-", "-", "blocked: " + plan.blocked().reason(), plan.blocked().keepsAccess());
    }
  }

  private static void linkLine(Lines lines, Action.Link a, String what) {
    lines.fix("link", "unmanaged " + what + " (" + a.fulcrumId() + ")", "managed",
        a.origin() == Action.Link.Origin.ADOPTED ? "adopt (users.adopt_existing: true)" : "link (made by an earlier create)");
  }

  private static void field(Lines lines, String name, String has, String wants) {
    if (wants != null) {
      lines.fix(name, has, wants, "update");
    }
  }

  private static String emails(List<String> memberIds, FulcrumSnapshot snap) {
    return memberIds.stream().map(snap::emailOf).collect(Collectors.joining(", "));
  }

  /** The rows of one key as they are found. */
  private static final class Lines {
    private final ResourceKey key;
    private final String entity;
    private final List<Drift> rows = new ArrayList<>();

    Lines(ResourceKey key, String entity) {
      this.key = key;
      this.entity = entity;
    }

    void fix(String field, String has, String wants, String action) {
      add(Drift.Kind.FIX, field, has, wants, action);
    }

    void add(Drift.Kind kind, String field, String has, String wants, String action) {
      add(kind, field, has, wants, action, false);
    }

    void add(Drift.Kind kind, String field, String has, String wants, String action, boolean keepsAccess) {
      rows.add(new Drift(key.toString(), entity, field, has == null ? "-" : has, wants, action, kind, keepsAccess));
    }

    boolean has(Drift.Kind kind) {
      return rows.stream().anyMatch(r -> r.kind() == kind);
    }

    KeyDrift done(boolean fixable, Plan plan) {
      return new KeyDrift(key, rows, fixable && !rows.isEmpty(), null, plan.takesAccessAway());
    }
  }
}
