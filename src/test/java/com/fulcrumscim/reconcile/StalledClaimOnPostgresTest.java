package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every test of {@link StalledClaimTest} on PostgreSQL, where two nodes share the work table. */
@RequiresPostgres
class StalledClaimOnPostgresTest extends StalledClaimTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }

  /**
   * PostgreSQL commits a reconcile's held writes when they start (SQLite's writer thread commits
   * them later, so there the outcome's transaction finds the loss): the created group's link,
   * started before the call that fills the group, finds the claim gone and stops the reconcile.
   */
  @Test
  void aHeldWriteThatFindsTheClaimLostStopsTheReconcileBeforeItsNextCall() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    takeOverAfter("createGroup");
    String ops = h.okta.group("Ops", List.of(ada));
    h.groupChangesSettle();
    h.runOnce();

    stillTakenOver(ResourceKey.group(ops));
    assertThat(calls("POST /api/v2/groups.json")).isEqualTo(1);
    assertThat(calls("POST /api/v2/groups/change_permissions.json")).as("no call after the loss").isZero();

    h.restart(h.http);
    h.settle();
    assertThat(calls("POST /api/v2/groups.json")).as("the create recognised by its intent").isEqualTo(1);
    assertThat(groupNamed("Ops").memberIds()).containsExactly(inFulcrum("ada@corp.example").id());
  }
}
