package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import ch.qos.logback.classic.Level;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ReconcileHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Who may be changed and how: the token owner, Owner grants, default and unknown roles. */
class IdentityPolicyTest extends EndToEnd {
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @Test
  void theTokenOwnersManagedMembershipIsNeverChangedInAnyField() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    h.settle();
    FulcrumMember ada = inFulcrum("ada@corp.example");
    changedOnPurpose.add(ada.id());
    setRoleByHand("ada@corp.example", "Owner");
    h.fulcrum.tokenOwnedBy(ada.id()); // Ada made the replacement token the bridge now uses
    h.restart(h.http);
    long putsBefore = calls("PUT /api/v2/memberships/{id}.json");

    h.okta.set(id, "role", "Record Creator");
    h.okta.set(id, "family_name", "King");
    h.settle();

    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Owner");
    assertThat(inFulcrum("ada@corp.example").lastName()).isEqualTo("Lovelace");
    assertThat(calls("PUT /api/v2/memberships/{id}.json")).isEqualTo(putsBefore);
    WorkItem row = h.row(ResourceKey.user(id));
    assertThat(row.state()).isEqualTo(WorkState.SKIPPED);
    assertThat(row.lastError()).contains("the Fulcrum API token's owner, whose membership the bridge never changes");
  }

  String ownerEmail() {
    return h.fulcrum.member(h.fulcrum.ownerMembershipId()).orElseThrow().email();
  }

  /** Okta assigns the token owner's own person, and the bridge has settled it; returns the SCIM id. */
  String oktaUserOfTheOwner() {
    String id = h.okta.user(ownerEmail(), "Token", "Owner", "Standard User");
    h.settle();
    return id;
  }

  @Test
  void theOwnersOwnOktaUserIsSkippedWithTheReasonNotDead() {
    start();
    String owner = ownerEmail();
    String id = oktaUserOfTheOwner();
    WorkItem row = h.row(ResourceKey.user(id));
    assertThat(row.state()).isEqualTo(WorkState.SKIPPED);
    assertThat(row.lastError()).contains(owner + " is the Fulcrum API token's owner");
    assertThat(h.queue.list(WorkState.DEAD, 10)).isEmpty();
  }

  /**
   * The token owner's own person leaves Okta: the bridge never removes that membership, and runs on
   * that person's token, so the row waits for an operator, DEAD with what to do; not SKIPPED, which
   * nothing alerts on.
   */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void theOwnersOwnOktaUserLeavingIsDeadSayingTheOwnerKeepsAccessAndWhatToDo(Leaving how) {
    start();
    String owner = ownerEmail();
    String id = oktaUserOfTheOwner();
    how.leave(h.okta, id);
    h.settle();

    assertThat(h.fulcrum.member(h.fulcrum.ownerMembershipId())).isPresent();
    WorkItem row = h.row(ResourceKey.user(id));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains(how.why + ", but " + owner + " is the Fulcrum API token's owner")
        .contains("keeps Owner access").contains("Set fulcrum.api_token to another Owner's token")
        .contains("remove " + owner + " in Fulcrum");
  }

  /** A token owner the bridge manages (a managed admin made the token) leaving Okta ends the same way, in the same words. */
  @Test
  void aManagedTokenOwnerDeactivatedIsDeadInTheSameWords() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    h.settle();
    FulcrumMember ada = inFulcrum("ada@corp.example");
    changedOnPurpose.add(ada.id());
    setRoleByHand("ada@corp.example", "Owner");
    h.fulcrum.tokenOwnedBy(ada.id()); // Ada made the replacement token the bridge now uses
    h.restart(h.http);

    h.okta.set(id, "active", 0);
    h.settle();

    assertThat(h.fulcrum.member(ada.id())).isPresent();
    WorkItem row = h.row(ResourceKey.user(id));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("the user was deactivated in Okta, but ada@corp.example is the Fulcrum API token's owner")
        .contains("keeps Owner access").contains("Set fulcrum.api_token to another Owner's token");
  }

  @Test
  void onceTheOwnerIsKnownADeactivatedUserThatWasNeverPushedIsSettledWithoutACall() {
    start();
    h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    String id = h.okta.user("never@corp.example", "Never", "Pushed", null);
    h.okta.set(id, "active", 0);
    h.fulcrum.calls().reset();
    h.settle();

    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.fulcrum.calls().all()).isEmpty();
  }

  @Test
  void oktaCannotGrantOwnerAndTheRoleStaysWithAClearReason() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    h.settle();
    h.okta.set(id, "role", "Owner");
    h.settle();
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Manager");
    WorkItem row = h.row(ResourceKey.user(id));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("role 'Owner' is Owner, which the bridge does not grant (roles.allow_owner: false)");
  }

  @Test
  void rolesMapCannotGrantOwnerButThePersonStillGetsAMember() {
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.roles(Map.of("admin", "Owner"), "")));
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", "admin");
    h.settle();
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Standard User");
    assertThat(h.row(ResourceKey.user(id)).lastError())
        .contains("role 'admin' (roles.map: 'Owner') is Owner").contains("a new member gets the default role");
  }

  @Test
  void aRolesDefaultOfOwnerCreatesNobody() {
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.roles(Map.of(), "Owner")));
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    assertThat(h.fulcrum.memberByEmail("ada@corp.example")).isEmpty();
    assertThat(h.row(ResourceKey.user(id)).lastError()).contains("roles.default 'Owner' is Owner");
  }

  @Test
  void withAllowOwnerOktaMayGrantOwner() {
    start(ReconcileHarness.Options.defaults().withSettings(new ReconcileSettings(false, null, true, Map.of(), "", true,
        java.time.Duration.ofSeconds(5), java.time.Duration.ofMinutes(5), java.time.Duration.ofSeconds(70))));
    h.okta.user("ada@corp.example", "Ada", "Lovelace", "Owner");
    h.settle();
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Owner");
  }

  @Test
  void aRoleSetByHandStaysWhenOktaSendsNoRole() {
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.roles(Map.of(), "Record Creator")));
    String id = h.okta.user("bob@corp.example", "Bob", "Builder", null);
    h.settle();
    assertThat(inFulcrum("bob@corp.example").roleName()).isEqualTo("Record Creator");
    setRoleByHand("bob@corp.example", "Manager");
    h.okta.set(id, "family_name", "Baker");
    h.settle();
    assertThat(inFulcrum("bob@corp.example").lastName()).isEqualTo("Baker");
    assertThat(inFulcrum("bob@corp.example").roleName()).isEqualTo("Manager");
  }

  @Test
  void changingRolesDefaultReRolesNobody() {
    start(ReconcileHarness.Options.defaults().withSettings(UserPushTest.roles(Map.of(), "Record Creator")));
    String id = h.okta.user("bob@corp.example", "Bob", "Builder", null);
    h.settle();
    h.restart(UserPushTest.roles(Map.of(), "Manager"));
    long putsBefore = calls("PUT /api/v2/memberships/{id}.json");
    h.queue.enqueue(ResourceKey.user(id)); // as the nightly resync does
    h.settle();
    assertThat(inFulcrum("bob@corp.example").roleName()).isEqualTo("Record Creator");
    assertThat(calls("PUT /api/v2/memberships/{id}.json")).isEqualTo(putsBefore);
  }

  @Test
  void anUnknownRoleStillAppliesTheNameAndFailsVisiblyWithTheValidNames() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    h.settle();
    h.okta.set(id, "role", "Wizard");
    h.okta.set(id, "family_name", "King");
    h.settle();
    assertThat(inFulcrum("ada@corp.example").lastName()).isEqualTo("King");
    assertThat(inFulcrum("ada@corp.example").roleName()).isEqualTo("Manager");
    WorkItem row = h.row(ResourceKey.user(id));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("role 'Wizard' is not a Fulcrum role; valid roles: Manager, Record Creator, "
        + "Standard User").contains("the rest of the change was applied");
  }

  @Test
  void aMemberNamedInReassignRecordsToIsRemovedWithRecordsUnassignedAndTheAuditSaysWhy() {
    start();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    String ada = inFulcrum("ada@corp.example").id();
    h.restart(new ReconcileSettings(false, ada, true, Map.of(), "", false, java.time.Duration.ofSeconds(5),
        java.time.Duration.ofMinutes(5), java.time.Duration.ofSeconds(70)));
    h.okta.set(id, "active", 0);
    h.settle();
    assertThat(h.fulcrum.member(ada)).isEmpty();
    assertThat(h.queue.list(WorkState.DEAD, 10)).isEmpty();
    assertThat(new AuditLog(h.db, h.clock).list(null, 20)).filteredOn(e -> e.action().equals("REMOVE_MEMBER"))
        .extracting(AuditEntry::detail).containsExactly("records unassigned: users.reassign_records_to names this member itself");
  }

  @Test
  void aMemberGivenTheTokenOwnersFormerEmailIsRemovedWhenDeactivated() {
    start();
    h.okta.user("first@corp.example", "First", "User", null);
    h.settle(); // the reconciler has learned the token owner, email and all
    FulcrumMember owner = h.fulcrum.member(h.fulcrum.ownerMembershipId()).orElseThrow();
    changedOnPurpose.add(owner.id());
    h.http.updateMember(owner.id(), new MemberFields("owner-renamed@corp.example", null, null, null)); // by hand
    h.clock.tick(Duration.ofHours(1));
    String bob = h.okta.user(owner.email(), "Bob", "Byrne", null); // Okta gives Bob the freed address

    h.settle();
    assertThat(h.fulcrum.memberByEmail(owner.email())).as("Bob's member").isPresent();
    h.okta.set(bob, "active", 0);
    h.settle();

    assertThat(h.fulcrum.memberByEmail(owner.email())).as("Bob deprovisioned").isEmpty();
    assertThat(h.row(ResourceKey.user(bob)).state()).as("not taken for the owner").isEqualTo(WorkState.DONE);
    assertThat(h.queue.list(WorkState.DEAD, 10)).isEmpty();
    assertThat(h.fulcrum.member(owner.id())).as("the owner untouched").isPresent();
  }

  @Test
  void aUserGivenTheOwnersFormerEmailIsCreatedAlthoughTheCachedCopyStillShowsTheOwnerUnderIt() {
    start();
    h.okta.user("first@corp.example", "First", "User", null);
    h.settle(); // the member list is cached, the owner under its email
    FulcrumMember owner = h.fulcrum.member(h.fulcrum.ownerMembershipId()).orElseThrow();
    changedOnPurpose.add(owner.id());
    h.http.updateMember(owner.id(), new MemberFields("owner-renamed@corp.example", null, null, null)); // by hand
    String bob = h.okta.user(owner.email(), "Bob", "Byrne", null); // before the cached copy ages

    h.settle();
    assertThat(h.row(ResourceKey.user(bob)).state()).as("not skipped as the owner").isEqualTo(WorkState.DONE);
    assertThat(h.fulcrum.memberByEmail(owner.email())).as("Bob's member").isPresent();
    assertThat(h.fulcrum.member(owner.id()).orElseThrow().email()).isEqualTo("owner-renamed@corp.example");
  }

  List<AuditEntry> removalsOf(String scimId) {
    return new AuditLog(h.db, h.clock).list(null, 100).stream()
        .filter(e -> e.key().equals(ResourceKey.user(scimId)) && e.action().equals("REMOVE_MEMBER")).toList();
  }

  /** Okta's Rita and Bob, both pushed; the bridge then restarts with Rita's member as users.reassign_records_to. */
  private String rita;
  private String bob;

  String ritaReceivesRemovedMembersRecords() {
    start();
    rita = h.okta.user("rita@corp.example", "Rita", "Records", null);
    bob = h.okta.user("bob@corp.example", "Bob", "Byrne", null);
    h.settle();
    String ritasMember = inFulcrum("rita@corp.example").id();
    h.restart(new ReconcileSettings(false, ritasMember, true, Map.of(), "", false, java.time.Duration.ofSeconds(5),
        java.time.Duration.ofMinutes(5), Duration.ofSeconds(70)));
    return ritasMember;
  }

  @Test
  void onceTheReassignTargetIsDeprovisionedLaterRemovalsStillGoThroughWithRecordsUnassigned() {
    String ritasMember = ritaReceivesRemovedMembersRecords();
    h.okta.set(rita, "active", 0);
    h.settle();

    h.okta.set(bob, "active", 0);
    h.settle();

    assertThat(h.fulcrum.memberByEmail("bob@corp.example")).as("deprovisioned").isEmpty();
    assertThat(h.queue.list(WorkState.DEAD, 10)).isEmpty();
    assertThat(removalsOf(bob))
        .extracting(AuditEntry::detail)
        .containsExactly("records unassigned: users.reassign_records_to names " + ritasMember + ", no longer in the organization");
    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR)
        .extracting(e -> e.getFormattedMessage()).singleElement().asString()
        .contains("users.reassign_records_to: membership " + ritasMember + " is no longer in the organization");
    assertThat(h.wiring().readSide().reassignTargetMissing()).as("the gauge's source").isTrue();
  }

  @Test
  void aRemovalRefusedBecauseTheReassignTargetLeftMeanwhileIsSentAgainWithRecordsUnassigned() {
    String ritasMember = ritaReceivesRemovedMembersRecords();
    h.okta.set(rita, "given_name", "Rita-Mae"); // the reconciler reads the members, Rita still among them
    h.settle();
    h.http.deleteMember(ritasMember, null); // a person removes Rita in Fulcrum's UI; the copy still lists her

    h.okta.set(bob, "active", 0);
    h.runOnce();

    assertThat(h.fulcrum.memberByEmail("bob@corp.example")).as("deprovisioned in the same reconcile").isEmpty();
    assertThat(h.row(ResourceKey.user(bob)).state()).isEqualTo(WorkState.DONE);
    assertThat(removalsOf(bob)).as("newest first").satisfiesExactly(
        ok -> assertThat(ok.detail()).endsWith("names " + ritasMember + ", no longer in the organization"),
        refused -> assertThat(refused.result()).contains("422").contains("reassign_to_membership_id"));
  }

  @Test
  void removalsGoToAReassignTargetThatIsThere() {
    String ritasMember = ritaReceivesRemovedMembersRecords();

    h.okta.set(bob, "active", 0);
    h.settle();

    assertThat(h.fulcrum.memberByEmail("bob@corp.example")).isEmpty();
    assertThat(removalsOf(bob)).extracting(AuditEntry::detail).containsExactly("records to " + ritasMember);
    assertThat(h.wiring().readSide().reassignTargetMissing()).isFalse();
  }
}
