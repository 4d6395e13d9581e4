package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ReconcileHarness;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import org.junit.jupiter.api.Test;

/**
 * Entra provisions a disabled user (never active) with the email of a member invited by hand (the
 * seeded m-taken): a deprovisioning all the same, since the identity provider says that person must
 * not have access; but the reason says the user was sent inactive, not that it was deactivated.
 */
class SentInactiveTest extends EndToEnd {
  static final String NEVER_ACTIVE = "the user was sent inactive by the identity provider, never active";

  private String sentInactive() {
    ScimHttp.Response r = h.scim().post("/Users",
        ScimTestServer.Bodies.user("priya", NeverLinkedNamesakeTest.TAKEN, "Priya", "Natarajan", false));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  @Test
  void aUserSentInactiveOverAMemberInvitedByHandStaysDeadSayingItWasNeverActive() {
    start();
    String priya = sentInactive();
    h.settle();

    WorkItem row = h.row(ResourceKey.user(priya));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains(NEVER_ACTIVE + ", but " + NeverLinkedNamesakeTest.KEEPS_ACCESS)
        .doesNotContain("deactivated");
  }

  @Test
  void aUserSentInactiveAndEditedSinceIsStillNeverActive() {
    start();
    String priya = sentInactive();
    h.okta.set(priya, "family_name", "Natarajan-Rao");
    h.settle();

    assertThat(h.row(ResourceKey.user(priya)).lastError()).contains(NEVER_ACTIVE);
  }

  @Test
  void withAdoptionTheAuditOfTheRemovalSaysTheUserWasNeverActive() {
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.adopting()));
    changedOnPurpose.add("m-taken");
    String priya = sentInactive();
    h.settle();

    assertThat(h.fulcrum.member("m-taken")).as("the identity provider says this person must not have access").isEmpty();
    assertThat(new AuditLog(h.db, h.clock).list(null, 10)).anySatisfy(e -> {
      assertThat(e.key()).isEqualTo(ResourceKey.user(priya));
      assertThat(e.detail()).isEqualTo("member m-taken (Taken@corp.example when last listed) removed from Fulcrum; " + NEVER_ACTIVE);
    });
  }
}
