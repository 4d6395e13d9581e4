package com.fulcrumscim.demo;

import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.ops.TextTable;
import com.fulcrumscim.reconcile.LinkStore;
import com.fulcrumscim.resync.FulcrumSnapshot;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;

/** Fulcrum's members and groups as tables, each row saying whether the bridge manages it (the link table). */
final class OrgTables {
  static final String MANAGED = "managed by bridge";
  static final String UNMANAGED = "unmanaged";

  private final LinkStore links;

  OrgTables(LinkStore links) {
    this.links = links;
  }

  void print(FulcrumSnapshot snap, PrintWriter out) {
    Set<String> managedMembers = links.fulcrumIds(EntityType.USER);
    Set<String> managedGroups = links.fulcrumIds(EntityType.GROUP);
    TextTable members = new TextTable("MEMBER", "EMAIL", "ROLE", "BRIDGE");
    snap.members().stream().sorted(Comparator.comparing((FulcrumMember m) -> m.email().toLowerCase(java.util.Locale.ROOT)))
        .forEach(m -> members.row(m.firstName() + " " + m.lastName(), m.email(), snap.roleName(m.roleId()),
            managedMembers.contains(m.id()) ? MANAGED
                : m.email().equalsIgnoreCase(snap.owner().email()) ? UNMANAGED + " (API token owner)" : UNMANAGED));
    members.print(out, "  ");
    out.println();
    TextTable groups = new TextTable("GROUP", "MEMBERS", "BRIDGE");
    snap.groups().stream().sorted(Comparator.comparing(FulcrumGroup::name).thenComparing(g -> managedGroups.contains(g.id())))
        .forEach(g -> groups.row(g.name(), g.memberIds().stream().map(snap::emailOf).sorted().collect(Collectors.joining(", ")),
            managedGroups.contains(g.id()) ? MANAGED : UNMANAGED));
    groups.print(out, "  ");
  }
}
