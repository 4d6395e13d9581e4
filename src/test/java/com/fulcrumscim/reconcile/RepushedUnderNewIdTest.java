package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Okta (or Entra) takes user Ada away, a deactivation or a SCIM DELETE, and pushes the same person
 * again as a new user with her email, while Ada's link still manages her member: both work rows are
 * due together. The member is handed over to the new user (its access, groups and records stay);
 * it is never removed, and the new user never ends DEAD on a link that the hand-over ends. A
 * member another active user manages is still a conflict for an operator, until that user leaves.
 */
class RepushedUnderNewIdTest extends EndToEnd {
  static final String ADA = "ada@corp.example";
  static final String BOB = "bob@corp.example";
  private String ada;
  private String bob;

  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aPersonPushedAgainUnderANewIdKeepsTheirMemberHandedOverToTheNewUser(Leaving how) {
    start();
    ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    FulcrumMember m = inFulcrum(ADA);

    how.leave(h.okta, ada);
    String again = h.okta.userNamed("ada.new", ADA, "Ada", "Lovelace", null);
    h.settle();

    assertThat(h.fulcrum.member(m.id())).as("the person's member, never removed").isPresent();
    assertThat(membersIn(ADA)).isEqualTo(1);
    assertThat(h.row(ResourceKey.user(again)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
    LinkStore links = new LinkStore(h.db);
    assertThat(links.get(EntityType.USER, again)).get().extracting(Link::fulcrumId).isEqualTo(m.id());
    assertThat(links.get(EntityType.USER, ada)).isEmpty();
    assertThat(new AuditLog(h.db, h.clock).list(null, 100))
        .filteredOn(e -> e.key().equals(ResourceKey.user(ada)) && e.action().equals("UNLINK")).singleElement()
        .satisfies(e -> assertThat(e.detail()).contains(how.why).contains("handed over to active user/" + again));
    assertThat(new AuditLog(h.db, h.clock).list(null, 100))
        .filteredOn(e -> e.key().equals(ResourceKey.user(again)) && e.action().equals("LINK")).singleElement()
        .satisfies(e -> assertThat(e.detail()).contains("handed over from user/" + ada));
  }

  @Test
  void aPersonDeactivatedAndPushedAgainIntoAnOktaGroupKeepsThatGroup() {
    start();
    ada = h.okta.userNamed("ada", ADA, "Ada", "Lovelace", null);
    String crew = h.okta.group("Crew", List.of(ada));
    h.settle();
    FulcrumMember m = inFulcrum(ADA);

    h.okta.set(ada, "active", 0);
    String again = h.okta.userNamed("ada.new", ADA, "Ada", "Lovelace", null);
    h.okta.setGroup(crew, "Crew", List.of(again));
    h.settle();

    assertThat(h.row(ResourceKey.user(again)).state()).isEqualTo(WorkState.DONE);
    assertThat(groupNamed("Crew").memberIds()).contains(m.id());
    assertThat(h.row(ResourceKey.group(crew)).state()).isEqualTo(WorkState.DONE);
  }

  /**
   * Two active users cannot have one email (SCIM refuses it, 409), but a managed member can take
   * another user's email by hand in Fulcrum: Ada's member renamed to Bob's address, then Bob pushed.
   * Returns Ada's member.
   */
  private FulcrumMember adasMemberGivenBobsEmailByHand() {
    start();
    ada = h.okta.userNamed("ada", ADA, "Ada", "Lovelace", null);
    h.settle();
    FulcrumMember m = inFulcrum(ADA);
    h.http.updateMember(m.id(), new MemberFields(BOB, null, null, null));
    h.clock.tick(Duration.ofMinutes(10));
    bob = h.okta.userNamed("bob", BOB, "Bob", "Builder", null);
    h.settle();
    return m;
  }

  @Test
  void aUserWhoseEmailAnActiveUsersMemberHasIsDead() {
    adasMemberGivenBobsEmailByHand();

    assertThat(h.row(ResourceKey.user(bob)).state()).isEqualTo(WorkState.DEAD);
    assertThat(h.row(ResourceKey.user(bob)).lastError())
        .contains("the Fulcrum member " + BOB + " is already managed for SCIM user " + ada);
  }

  /**
   * Ada's member carries Bob's email only because someone changed it by hand: it is still Ada's
   * account, her login, and Bob is another person. Okta deactivating Ada removes it; it is never
   * handed to Bob (review-s2 F1), whatever email it shows.
   */
  @Test
  void aLeaversMemberWhoseEmailWasChangedByHandToAnotherUsersIsRemovedNotHandedOver() {
    FulcrumMember m = adasMemberGivenBobsEmailByHand();

    h.okta.set(ada, "active", 0);
    h.settle();

    assertThat(h.fulcrum.member(m.id())).as("Ada's own member").isEmpty();
    assertThat(new LinkStore(h.db).get(EntityType.USER, bob)).map(Link::fulcrumId).isNotEqualTo(Optional.of(m.id()));
    assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DONE);
  }
}
