package com.fulcrumscim.resync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.reconcile.AuditEntry;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.testing.ReconcileHarness;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Orphans: members and groups the bridge created that no link points to any more (left behind by
 * a dropped link, a crash between a create and its link, or an older bridge). Made here by
 * dropping the link row, as the bridge before issue 9 did on a stale cached view.
 */
class OrphanTest {
  static final List<String> UNMANAGED = List.of("m-taken", "m-bystander", "g-crew");

  @TempDir Path dir;
  ReconcileHarness h;
  ReconcileWiring path;
  Resync resync;
  String unmanagedBefore;

  @BeforeEach
  void start() {
    h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults());
    ReconcileSettings settings = ReconcileHarness.Options.defaults().settings();
    path = h.newWiring(h.http);
    resync = new Resync(h.http, h.db, settings, h.clock, h.clock::tick);
    unmanagedBefore = unmanaged();
  }

  @AfterEach
  void unmanagedEntitiesAreNeverCandidates() {
    try {
      assertThat(unmanaged()).as("unmanaged members and group").isEqualTo(unmanagedBefore);
    } finally {
      path.loop().close();
      h.close();
    }
  }

  private String unmanaged() {
    List<String> ids = new ArrayList<>(UNMANAGED);
    ids.add(h.fulcrum.ownerMembershipId());
    return h.fulcrum.snapshotJson(ids);
  }

  ResyncReport apply() {
    return resync.apply(path, Progress.NONE);
  }

  void dropLink(EntityType type, String scimId) {
    h.db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM link WHERE entity_type = ? AND scim_id = ?")) {
        ps.setString(1, type.name());
        ps.setString(2, scimId);
        return ps.executeUpdate();
      }
    });
  }

  @Test
  void aMemberWhoseUserWasDeactivatedAfterItsLinkWasDroppedIsRemovedAndAudited() {
    String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
    h.settle();
    String orphanId = h.fulcrum.memberByEmail("x@corp.example").orElseThrow().id();
    dropLink(EntityType.USER, x);
    h.okta.set(x, "active", 0);
    h.settle();
    assertThat(h.fulcrum.memberByEmail("x@corp.example")).as("the reconciler alone cannot see it").isPresent();

    ResyncReport dry = resync.dryRun();
    assertThat(dry.plan()).anySatisfy(d -> {
      assertThat(d.entity()).isEqualTo("orphan member x@corp.example");
      assertThat(d.action()).isEqualTo("remove the orphan");
    });
    ResyncReport done = apply();

    assertThat(h.fulcrum.memberByEmail("x@corp.example")).isEmpty();
    assertThat(done.remaining()).isEmpty();
    assertThat(done.totals().fixed()).isEqualTo(1);
    List<AuditEntry> audit = new AuditLog(h.db, h.clock).list(null, 100);
    assertThat(audit).anySatisfy(a -> {
      assertThat(a.fulcrumId()).isEqualTo(orphanId);
      assertThat(a.action()).isEqualTo("REMOVE_MEMBER");
      assertThat(a.result()).isEqualTo("ok");
      assertThat(a.detail()).startsWith("orphan");
    });
  }

  @Test
  void aMemberWhoseUserIsStillActiveIsReportedAndLeftAlone() {
    String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
    h.settle();
    dropLink(EntityType.USER, x);

    ResyncReport dry = resync.dryRun();

    assertThat(dry.plan()).anySatisfy(d -> {
      assertThat(d.entity()).isEqualTo("orphan member x@corp.example");
      assertThat(d.kind()).isEqualTo(Drift.Kind.ORPHAN);
    });
    apply();
    assertThat(h.fulcrum.memberByEmail("x@corp.example")).isPresent();
  }

  @Test
  void aGroupOktaRenamedWhileItsOldCopyLostItsLinkIsDeletedAndTheLinkedOneKept() {
    String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
    String ops = h.okta.group("Ops", List.of(x));
    h.settle();
    String orphanId = group("Ops").id();
    dropLink(EntityType.GROUP, ops);
    h.okta.setGroup(ops, "Ops Team", List.of(x));
    h.settle();
    assertThat(h.fulcrum.groups().stream().map(FulcrumGroup::name)).as("the duplicate of issue 9").contains("Ops", "Ops Team");

    apply();

    assertThat(h.fulcrum.group(orphanId)).isEmpty();
    assertThat(group("Ops Team").memberIds()).hasSize(1);
  }

  @Test
  void aGroupOktaDeletedAfterItsLinkWasDroppedIsDeleted() {
    String ops = h.okta.group("Ops", List.of());
    h.settle();
    String orphanId = group("Ops").id();
    dropLink(EntityType.GROUP, ops);
    h.okta.deleteGroup(ops);
    h.settle();
    assertThat(h.fulcrum.group(orphanId)).isPresent();

    apply();

    assertThat(h.fulcrum.group(orphanId)).isEmpty();
  }

  @Test
  void unmanagedMembersAndGroupsAndTheOwnerAreNeverListedAsOrphans() {
    h.okta.user("x@corp.example", "Xavier", "Example", null);
    h.settle();
    h.http.createGroup("Hand made", "Provisioned by fulcrum-scim"); // the marker alone proves nothing

    ResyncReport dry = resync.dryRun();

    assertThat(dry.plan()).noneMatch(d -> d.entity().startsWith("orphan"));
  }

  FulcrumGroup group(String name) {
    return h.fulcrum.groups().stream().filter(g -> g.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no group " + name));
  }
}
