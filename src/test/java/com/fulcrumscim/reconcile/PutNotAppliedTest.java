package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import org.junit.jupiter.api.Test;

/**
 * A Fulcrum that answers a membership PUT 200 but keeps the role and names (a role change by PUT
 * is assumed, not documented; a member of several organizations cannot be edited): the change is
 * DEAD with Fulcrum's answer as the reason, not recorded as done and sent again at every re-read.
 */
class PutNotAppliedTest extends EndToEnd {
  static final String PUT = "PUT /api/v2/memberships/{id}.json";

  @Test
  void aRoleChangeFulcrumKeepsIsDeadWithTheReasonNotDone() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Standard User");
    h.settle();
    h.fulcrum.putAppliesEmailOnly(true);

    h.okta.set(id, "role", "Manager");
    h.settle();
    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.DEAD);
    assertThat(h.row(ResourceKey.user(id)).lastError()).contains("Fulcrum accepted the PUT but kept role_id");
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Standard User");
    assertThat(calls(PUT)).as("one PUT on the cached copy, one after reading Fulcrum again").isLessThanOrEqualTo(2);
  }
}
