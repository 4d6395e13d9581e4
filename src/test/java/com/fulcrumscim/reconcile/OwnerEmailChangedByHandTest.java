package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ReconcileHarness;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bridge never changes or removes the token owner's membership, also when Fulcrum lists members
 * without their account ids (user_id) and someone changes the owner's email by hand: the reconciler
 * learned the owner's email once, and only that email could tell the owner's membership in such a list.
 */
class OwnerEmailChangedByHandTest extends EndToEnd {
  static final String PUT = "PUT /api/v2/memberships/{id}.json";
  static final String DELETE = "DELETE /api/v2/memberships/{id}.json";
  static final String OWNER_READ = "GET /api/v2/users.json";
  static final String NEW_EMAIL = "ada.new@corp.example";

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  private String ada;
  private FulcrumMember owner;

  /**
   * Ada, pushed by the bridge, made the replacement token it now runs on (its owner read cached, or
   * not: {@link #ownerReadFromACache}); Fulcrum lists members without user_id. The bridge has planned
   * for her once since its restart, so it knows her as the owner under ada@.
   */
  void adaOwnsTheTokenInAListWithoutAccountIds(boolean ownerReadCached) {
    adaOwnsTheTokenInAListWithoutAccountIds(ownerReadCached, ReconcileHarness.Options.defaults());
  }

  void adaOwnsTheTokenInAListWithoutAccountIds(boolean ownerReadCached, ReconcileHarness.Options options) {
    start(options);
    h.fulcrum.userIdsLeftOut(true);
    ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    h.settle();
    owner = inFulcrum("ada@corp.example");
    changedOnPurpose.add(owner.id());
    setRoleByHand("ada@corp.example", "Owner");
    h.fulcrum.tokenOwnedBy(owner.id());
    h.restart(ownerReadCached ? ownerReadFromACache() : h.http);
    h.okta.set(ada, "family_name", "King");
    h.settle();
    assertThat(h.row(ResourceKey.user(ada)).state()).as("known as the owner").isEqualTo(WorkState.SKIPPED);
  }

  /** Someone changes the owner's email in Fulcrum by hand; the bridge's copy of the member list then ages. */
  void ownersEmailChangedByHand() {
    h.http.updateMember(owner.id(), new MemberFields(NEW_EMAIL, null, null, null));
    h.clock.tick(Duration.ofMinutes(6));
  }

  /**
   * Between the same two reads of the member list as {@link #ownersEmailChangedByHand}, someone is
   * invited by hand at the owner's former address, ada@, under their own name.
   */
  FulcrumMember invitedByHandAtTheOwnersFormerAddress() {
    return h.http.createMember(new MemberFields("ada@corp.example", "Bea", "Newhire", null));
  }

  FulcrumMember ownersMembership() {
    return h.fulcrum.member(owner.id()).orElseThrow(() -> new AssertionError("the owner's membership was removed"));
  }

  @Test
  void anOktaChangeToTheOwnerIsSkippedAfterItsEmailWasChangedByHandReadingTheOwnerOnce() {
    adaOwnsTheTokenInAListWithoutAccountIds(false);
    ownersEmailChangedByHand();
    long putsBefore = calls(PUT);
    long ownerReadsBefore = calls(OWNER_READ);

    h.okta.set(ada, "given_name", "Augusta");
    h.settle();

    assertThat(ownersMembership().email()).isEqualTo(NEW_EMAIL);
    assertThat(ownersMembership().firstName()).isEqualTo("Ada");
    assertThat(calls(PUT)).as("nothing sent to the owner's membership").isEqualTo(putsBefore);
    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.SKIPPED);
    assertThat(row.lastError()).contains(NEW_EMAIL + ", the Fulcrum API token's owner, whose membership the bridge never changes");
    assertThat(calls(OWNER_READ)).as("the owner read again once, for the list that did not show it").isEqualTo(ownerReadsBefore + 1);
  }

  @ParameterizedTest
  @EnumSource(Leaving.class)
  void theOwnerWhoseEmailWasChangedByHandIsNotRemovedWhenOktaTakesThemAway(Leaving how) {
    adaOwnsTheTokenInAListWithoutAccountIds(false);
    ownersEmailChangedByHand();

    how.leave(h.okta, ada);
    h.settle();

    assertThat(ownersMembership().email()).isEqualTo(NEW_EMAIL);
    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains(how.why + ", but " + NEW_EMAIL + " is the Fulcrum API token's owner")
        .contains("keeps Owner access");
  }

  /**
   * Bea, invited by hand at the owner's former address in the same list read as the owner's email
   * change, is not the owner: in a list without account ids only her email matched the owner as
   * last known, and her names are not the owner's, so the owner is read again and found under the
   * new address. Okta, where Ada got the new address too, then pushes Bea (users.adopt_existing:
   * her member is adopted) and takes her
   * away again: her member is removed, where it passed for the owner's and she kept access.
   */
  @Test
  void aMemberInvitedByHandAtTheOwnersFormerAddressDoesNotPassForTheOwner() {
    adaOwnsTheTokenInAListWithoutAccountIds(false, ReconcileHarness.Options.defaults().withSettings(adopting()));
    ownersEmailChangedByHand();
    FulcrumMember bea = invitedByHandAtTheOwnersFormerAddress();
    changedOnPurpose.add(bea.id());

    h.okta.replaceUser(ada, NEW_EMAIL, "Ada", "King", "Manager");
    String beaInOkta = h.okta.user("ada@corp.example", "Bea", "Newhire", null);
    h.settle();
    assertThat(new LinkStore(h.db).get(EntityType.USER, beaInOkta)).as("Bea's member adopted: %s", h.row(ResourceKey.user(beaInOkta)))
        .hasValueSatisfying(l -> assertThat(l.fulcrumId()).isEqualTo(bea.id()));

    h.okta.set(beaInOkta, "active", 0);
    h.settle();

    assertThat(h.fulcrum.member(bea.id())).as("Bea keeps no access").isEmpty();
    assertThat(h.row(ResourceKey.user(beaInOkta)).state()).isEqualTo(WorkState.DONE);
    assertThat(ownersMembership().email()).isEqualTo(NEW_EMAIL);
  }

  /**
   * As above, but the owner's read again (GET /users.json) fails once (a 429): that plan fails,
   * and the next one on the same list read reads the owner again, rather than take Bea's
   * membership, matched only by the former address, for the owner's.
   */
  @Test
  void aMemberInvitedByHandAtTheOwnersFormerAddressDoesNotPassForTheOwnerAfterTheOwnersReadFailedOnce() {
    adaOwnsTheTokenInAListWithoutAccountIds(false, ReconcileHarness.Options.defaults().withParallelism(1).withSettings(adopting()));
    ownersEmailChangedByHand();
    FulcrumMember bea = invitedByHandAtTheOwnersFormerAddress();
    changedOnPurpose.add(bea.id());
    long ownerReadsBefore = calls(OWNER_READ);
    h.fulcrum.faults().rateLimitBurstOn(OWNER_READ, 1);

    h.okta.replaceUser(ada, NEW_EMAIL, "Ada", "King", "Manager");
    String beaInOkta = h.okta.user("ada@corp.example", "Bea", "Newhire", null);
    h.settle();
    assertThat(new LinkStore(h.db).get(EntityType.USER, beaInOkta)).as("Bea's member adopted: %s", h.row(ResourceKey.user(beaInOkta)))
        .hasValueSatisfying(l -> assertThat(l.fulcrumId()).isEqualTo(bea.id()));
    assertThat(calls(OWNER_READ)).as("the failed read, then one that worked").isEqualTo(ownerReadsBefore + 2);

    h.okta.set(beaInOkta, "active", 0);
    h.settle();

    assertThat(h.fulcrum.member(bea.id())).as("Bea keeps no access").isEmpty();
    assertThat(ownersMembership().email()).isEqualTo(NEW_EMAIL);
  }

  static ReconcileSettings adopting() {
    ReconcileSettings d = ReconcileHarness.Options.defaults().settings();
    return new ReconcileSettings(true, d.reassignTo(), d.groupsPush(), d.roleMap(), d.defaultRole(), d.allowOwner(),
        d.memberWait(), d.mirrorMaxAge(), d.createLandsWithin());
  }

  /**
   * A client on which GET /users.json answers what it answered first, as a gateway that caches it
   * would: read again, the owner still shows the email the member list no longer has, and no plan
   * recognises the owner's membership.
   */
  FulcrumClient ownerReadFromACache() {
    FulcrumClient real = h.http;
    AtomicReference<FulcrumUser> cached = new AtomicReference<>();
    return (FulcrumClient) Proxy.newProxyInstance(FulcrumClient.class.getClassLoader(), new Class<?>[] {FulcrumClient.class},
        (proxy, method, args) -> {
          try {
            if (method.getName().equals("tokenOwner")) {
              if (cached.get() == null) {
                cached.set((FulcrumUser) method.invoke(real, args));
              }
              return cached.get();
            }
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  void refusedLoudly(String what) {
    WorkItem row = h.row(ResourceKey.user(ada));
    assertThat(row.state()).isEqualTo(WorkState.DEAD);
    assertThat(row.lastError()).contains("the plan would " + what + " Fulcrum member " + owner.id() + " (" + NEW_EMAIL + ")")
        .contains("the Fulcrum API token's owner's membership").contains("refused, nothing sent")
        .contains("journal retry user/" + ada);
    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).extracting(e -> e.getFormattedMessage())
        .anySatisfy(m -> assertThat(m).contains("refused, nothing sent"));
    assertThat(new AuditLog(h.db, h.clock).list(null, 50)).filteredOn(e -> e.key().equals(ResourceKey.user(ada)))
        .anySatisfy(e -> assertThat(e.result()).isEqualTo("refused: the Fulcrum API token's owner's membership"));
  }

  @Test
  void theApplierRefusesAChangeToTheOwnersMembershipThatNoPlanRecognised() {
    adaOwnsTheTokenInAListWithoutAccountIds(true);
    ownersEmailChangedByHand();
    long putsBefore = calls(PUT);

    h.okta.set(ada, "given_name", "Augusta");
    h.settle();

    assertThat(calls(PUT)).as("nothing sent to the owner's membership").isEqualTo(putsBefore);
    assertThat(ownersMembership().email()).isEqualTo(NEW_EMAIL);
    refusedLoudly("change");
  }

  @Test
  void theApplierRefusesToRemoveTheOwnersMembershipThatNoPlanRecognised() {
    adaOwnsTheTokenInAListWithoutAccountIds(true);
    ownersEmailChangedByHand();

    h.okta.set(ada, "active", 0);
    h.settle();

    assertThat(calls(DELETE)).as("nothing sent to the owner's membership").isZero();
    assertThat(ownersMembership().email()).isEqualTo(NEW_EMAIL);
    refusedLoudly("remove");
  }
}
