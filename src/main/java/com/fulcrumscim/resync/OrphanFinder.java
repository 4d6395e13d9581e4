package com.fulcrumscim.resync;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.journal.DesiredGroup;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.reconcile.EmailClaims;
import com.fulcrumscim.reconcile.Intent;
import com.fulcrumscim.reconcile.IntentStore;
import com.fulcrumscim.reconcile.LinkStore;
import com.fulcrumscim.reconcile.PlanContext;
import com.fulcrumscim.reconcile.SamePerson;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Finds the bridge's orphans in a snapshot: unlinked members and groups that an accepted create or
 * a link (audit) or an open create intent proves the bridge's, groups also carrying its description
 * marker. Nothing else is ever a candidate, so unmanaged entities and the token owner never are.
 * An orphan goes only when no one in Okta wants it (see {@link #wanted}).
 */
final class OrphanFinder {
  private final Database db;
  private final DesiredState desired;
  private final SamePerson samePerson;
  private final LinkStore links;
  private final AuditLog audit;
  private final IntentStore intents;

  OrphanFinder(Database db, Clock clock) {
    this.db = db;
    this.desired = new DesiredState(db);
    this.samePerson = new SamePerson(desired);
    this.links = new LinkStore(db);
    this.audit = new AuditLog(db, clock);
    this.intents = new IntentStore(db);
  }

  /** {@code context}: the planner's, over the same snapshot; its owner check is the one that decides here too. */
  List<Orphan> find(FulcrumSnapshot snap, PlanContext context, boolean groupsPush) {
    List<Orphan> out = new ArrayList<>();
    Set<String> linkedMembers = links.fulcrumIds(EntityType.USER);
    Map<String, ResourceKey> madeMembers = made(EntityType.USER, snap.members(), FulcrumMember::id, FulcrumMember::email);
    Set<String> active = null; // read once, and only when there is an orphan member to judge
    for (FulcrumMember m : snap.members()) {
      ResourceKey by = madeMembers.get(m.id());
      // by id, or by email where Fulcrum lists no account id: the reconciler never removes the owner either
      if (by == null || linkedMembers.contains(m.id()) || context.isOwner(m.userId(), m.email())) {
        continue;
      }
      active = active != null ? active : activeIds();
      out.add(new Orphan(Orphan.Type.MEMBER, m.id(), m.email(), by, wanting(active, m.email(), by).orElse(null)));
    }
    if (groupsPush) {
      Set<String> linkedGroups = links.fulcrumIds(EntityType.GROUP);
      Map<String, ResourceKey> madeGroups = made(EntityType.GROUP, snap.groups(), FulcrumGroup::id, FulcrumGroup::name);
      for (FulcrumGroup g : snap.groups()) {
        ResourceKey by = madeGroups.get(g.id());
        if (by == null || linkedGroups.contains(g.id()) || !FulcrumGroup.BRIDGE_MARKER.equals(g.description())) {
          continue;
        }
        out.add(new Orphan(Orphan.Type.GROUP, g.id(), g.name(), by, groupWanted(g.name(), by).orElse(null)));
      }
    }
    return out;
  }

  /**
   * Who in Okta wants the orphan now, read from the desired state at this moment (empty: it may
   * go); {@code label} is its email or name as Fulcrum has it now. The remover asks again right
   * before each delete, with the same rule the plan was made with.
   */
  Optional<String> wanted(Orphan.Type type, String label, ResourceKey createdFor) {
    return type == Orphan.Type.MEMBER ? wanting(activeIds(), label, createdFor)
        : groupWanted(label, createdFor);
  }

  private Optional<String> groupWanted(String name, ResourceKey createdFor) {
    // an unlinked SCIM group wanting this name may still link it: only a group no one wants goes
    Optional<DesiredGroup> byName = desired.groups().stream()
        .filter(w -> links.get(EntityType.GROUP, w.id()).isEmpty() && key(w.displayName()).equals(key(name))).findFirst();
    if (byName.isPresent()) {
      return Optional.of("SCIM " + ResourceKey.group(byName.get().id()) + " (not linked yet) with this name");
    }
    boolean ownerDone = desired.group(createdFor.scimId()).isEmpty() || links.get(EntityType.GROUP, createdFor.scimId()).isPresent();
    return ownerDone ? Optional.empty() : Optional.of("SCIM " + createdFor + " (not linked yet)");
  }

  /**
   * Who wants an orphan member: the active user it was made for, else the person Okta took away
   * as that user pushed again under a new id ({@link SamePerson}), whose push meets this very member
   * (a collision): removing it would take the access Okta just gave back. Any other active user
   * given the address later is a different person, who must not keep the leaver's account.
   */
  private Optional<String> wanting(Set<String> activeIds, String email, ResourceKey createdFor) {
    if (activeIds.contains(createdFor.scimId())) {
      return Optional.of("active " + createdFor + " it was made for");
    }
    return db.read(c -> samePerson.pushedAgain(c, email, createdFor.scimId())).stream().findFirst()
        .map(u -> new EmailClaims.Claim.ActiveUser(ResourceKey.user(u.id()), u.userName()).toString());
  }

  private Set<String> activeIds() {
    return desired.users().stream().filter(DesiredUser::active).map(DesiredUser::id).collect(Collectors.toSet());
  }

  /** Fulcrum id to the key it was made or linked for: the audit's, and entities an open intent's create left unlinked. */
  private <T> Map<String, ResourceKey> made(EntityType type, List<T> all, Function<T, String> id, Function<T, String> match) {
    Map<String, ResourceKey> out = new HashMap<>(audit.owned(type));
    for (Intent i : intents.all(type)) {
      all.stream().filter(e -> i.made(id.apply(e), match.apply(e)))
          .forEach(e -> out.putIfAbsent(id.apply(e), new ResourceKey(type, i.scimId())));
    }
    return out;
  }

  private static String key(String s) {
    return s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
  }
}
