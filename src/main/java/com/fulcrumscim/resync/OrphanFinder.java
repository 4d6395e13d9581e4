package com.fulcrumscim.resync;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.reconcile.Intent;
import com.fulcrumscim.reconcile.IntentStore;
import com.fulcrumscim.reconcile.LinkStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Finds the bridge's orphans in a snapshot: unlinked members and groups that an accepted create
 * (audit) or an open create intent proves the bridge made, groups also carrying its description
 * marker. Nothing else is ever a candidate, so unmanaged entities and the token owner never are.
 */
final class OrphanFinder {
  private final DesiredState desired;
  private final LinkStore links;
  private final AuditLog audit;
  private final IntentStore intents;

  OrphanFinder(Database db, Clock clock) {
    this.desired = new DesiredState(db);
    this.links = new LinkStore(db);
    this.audit = new AuditLog(db, clock);
    this.intents = new IntentStore(db);
  }

  List<Orphan> find(FulcrumSnapshot snap, boolean groupsPush) {
    List<Orphan> out = new ArrayList<>();
    Set<String> linkedMembers = links.fulcrumIds(EntityType.USER);
    Map<String, ResourceKey> madeMembers = made(EntityType.USER, snap.members(), FulcrumMember::id, FulcrumMember::email);
    for (FulcrumMember m : snap.members()) {
      ResourceKey by = madeMembers.get(m.id());
      if (by == null || linkedMembers.contains(m.id()) || snap.owner().id().equals(m.userId())) {
        continue;
      }
      Optional<DesiredUser> d = desired.user(by.scimId());
      out.add(new Orphan(Orphan.Type.MEMBER, m.id(), m.email(), by, d.map(u -> !u.active()).orElse(true)));
    }
    if (groupsPush) {
      Set<String> linkedGroups = links.fulcrumIds(EntityType.GROUP);
      Map<String, ResourceKey> madeGroups = made(EntityType.GROUP, snap.groups(), FulcrumGroup::id, FulcrumGroup::name);
      for (FulcrumGroup g : snap.groups()) {
        ResourceKey by = madeGroups.get(g.id());
        if (by == null || linkedGroups.contains(g.id()) || !FulcrumGroup.BRIDGE_MARKER.equals(g.description())) {
          continue;
        }
        // an unlinked SCIM group wanting this name may still link it: only a group no one wants goes
        boolean wanted = desired.groups().stream().anyMatch(w -> links.get(EntityType.GROUP, w.id()).isEmpty()
            && key(w.displayName()).equals(key(g.name())));
        boolean ownerDone = desired.group(by.scimId()).isEmpty() || links.get(EntityType.GROUP, by.scimId()).isPresent();
        out.add(new Orphan(Orphan.Type.GROUP, g.id(), g.name(), by, !wanted && ownerDone));
      }
    }
    return out;
  }

  /** Fulcrum id to the key it was made for: accepted creates, and entities an open intent's create left unlinked. */
  private <T> Map<String, ResourceKey> made(EntityType type, List<T> all, Function<T, String> id, Function<T, String> match) {
    Map<String, ResourceKey> out = new HashMap<>(audit.created(type));
    for (Intent i : intents.all(type)) {
      all.stream().filter(e -> key(match.apply(e)).equals(key(i.matchKey())) && !i.priorIds().contains(id.apply(e)))
          .forEach(e -> out.putIfAbsent(id.apply(e), new ResourceKey(type, i.scimId())));
    }
    return out;
  }

  private static String key(String s) {
    return s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
  }
}
