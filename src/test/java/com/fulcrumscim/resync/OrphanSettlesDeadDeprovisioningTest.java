package com.fulcrumscim.resync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.reconcile.Action;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.reconcile.Plan;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.testing.ReconcileHarness;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user whose link was lost is deactivated: the member the bridge made for it looks like one it
 * does not manage, so the deprovisioning is DEAD saying that member keeps access. Resync knows the
 * member for the bridge's orphan and removes it; the dead row then settles by itself, DONE, with
 * the removal in the audit, instead of waiting for an operator's `journal retry`.
 */
class OrphanSettlesDeadDeprovisioningTest {
  @TempDir Path dir;
  ReconcileHarness h;
  ReconcileWiring path;
  Resync resync;

  /** The store the suite runs on; the ...OnPostgresTest subclass gives a PostgreSQL one. */
  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @BeforeEach
  void start() {
    h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults(), store());
    path = h.newWiring(h.http);
    resync = new Resync(h.http, h.db, ReconcileHarness.Options.defaults().settings(), h.clock, h.clock::tick);
  }

  @AfterEach
  void stop() {
    path.loop().close();
    h.close();
  }

  @Test
  void aDeprovisioningDeadOnTheBridgesOwnMemberIsDoneOnceResyncRemovesThatOrphan() {
    String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
    h.settle();
    String orphan = h.fulcrum.memberByEmail("x@corp.example").orElseThrow().id();
    dropUserLink(x);
    h.okta.set(x, "active", 0);
    h.settle();
    assertThat(h.row(ResourceKey.user(x)).state()).isEqualTo(WorkState.DEAD);

    resync.apply(path, Progress.NONE, 0);
    h.settle();

    assertThat(h.fulcrum.member(orphan)).isEmpty();
    assertThat(h.row(ResourceKey.user(x)).state()).isEqualTo(WorkState.DONE);
    assertThat(new AuditLog(h.db, h.clock).list(null, 100)).anySatisfy(e -> {
      assertThat(e.key()).isEqualTo(ResourceKey.user(x));
      assertThat(e.action()).isEqualTo(Action.Kind.REMOVE_MEMBER.name());
      assertThat(e.fulcrumId()).isEqualTo(orphan);
      assertThat(e.result()).isEqualTo("ok");
    });
  }

  @Test
  void aDeprovisioningDeadOnTheBridgesOwnMemberSaysTheNextResyncRemovesIt() {
    String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
    h.settle();
    dropUserLink(x);

    h.okta.set(x, "active", 0);
    h.settle();

    assertThat(h.row(ResourceKey.user(x)).lastError())
        .contains("The bridge made that member for this user", "the next resync apply", "removes it as the bridge's orphan")
        .doesNotContain("Remove it in Fulcrum", "users.adopt_existing");
  }

  @Test
  void aDeprovisioningDeadOnAMemberInvitedByHandStillAsksForAnOperator() {
    String taken = h.okta.user("taken@corp.example", "Hand", "Made", null);
    h.settle();

    h.okta.set(taken, "active", 0);
    h.settle();

    assertThat(h.row(ResourceKey.user(taken)).lastError()).contains("Remove it in Fulcrum, or set users.adopt_existing")
        .doesNotContain("the next resync");
  }

  @Test
  void planningTheDeprovisioningOfAUserWhoseLinkWasLostReadsNoAudit() {
    String x = h.okta.user("x@corp.example", "Xavier", "Example", null);
    h.settle();
    String member = h.fulcrum.memberByEmail("x@corp.example").orElseThrow().id();
    dropUserLink(x);
    h.okta.set(x, "active", 0);
    hideAudit();

    Plan plan = path.readSide().plan(ResourceKey.user(x));

    assertThat(plan.blocked().keepsAccess()).isTrue();
    assertThat(plan.blocked().reason()).contains("Fulcrum member " + member);
  }

  @Test
  void aDeadRowOfAnotherCauseWhoseUserHasNoOrphanStaysDead() {
    String taken = h.okta.user("taken@corp.example", "Hand", "Made", null);
    h.settle();
    h.okta.set(taken, "active", 0);
    h.settle();
    assertThat(h.row(ResourceKey.user(taken)).state()).isEqualTo(WorkState.DEAD);

    resync.apply(path, Progress.NONE, 0);
    h.settle();

    assertThat(h.row(ResourceKey.user(taken)).state()).as("a member invited by hand is no orphan of the bridge's")
        .isEqualTo(WorkState.DEAD);
  }

  /** A plan that reads the audit fails from now on: every resync plans each such user again. */
  private void hideAudit() {
    h.db.write(c -> {
      try (Statement st = c.createStatement()) {
        return st.executeUpdate("ALTER TABLE reconcile_audit RENAME TO reconcile_audit_hidden");
      }
    });
  }

  private void dropUserLink(String scimId) {
    h.db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM link WHERE entity_type = ? AND scim_id = ?")) {
        ps.setString(1, EntityType.USER.name());
        ps.setString(2, scimId);
        return ps.executeUpdate();
      }
    });
  }
}
