package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.ResourceKey;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which other user a member with a leaving user's email is being given to. */
class EmailClaimsTest {
  static final FulcrumMember ADA = PlannerTest.member("m2", "ada@corp.example", "Ada", "Lovelace", "r-standard");
  static final DesiredUser LEAVING = new DesiredUser("u1", "ada", "ada@corp.example", "Ada", "Lovelace", null, false, null);

  static DesiredUser user(String id, String email, boolean active) {
    return new DesiredUser(id, id + "-name", email, "Ada", "Lovelace", null, active, null);
  }

  static Intent create(String scimId, Set<String> priorIds) {
    return new Intent(scimId, "ada@corp.example", priorIds, Instant.EPOCH);
  }

  @Test
  void anActiveUserWithTheEmailClaimsTheMemberComparedTrimmedAndCaseInsensitively() {
    EmailClaims claims = new EmailClaims(List.of(LEAVING, user("u2", " Ada@Corp.example", true)), List.of());
    assertThat(claims.on(ADA, "u1")).contains(new EmailClaims.Claim.ActiveUser(ResourceKey.user("u2"), "u2-name"));
  }

  @Test
  void anInactiveUserWithTheEmailClaimsNothing() {
    assertThat(new EmailClaims(List.of(LEAVING, user("u2", "ada@corp.example", false)), List.of()).on(ADA, "u1")).isEmpty();
  }

  @Test
  void theAskingUserNeverClaimsAgainstItself() {
    EmailClaims claims = new EmailClaims(List.of(user("u1", "ada@corp.example", true)), List.of(create("u1", Set.of())));
    assertThat(claims.on(ADA, "u1")).isEmpty();
  }

  @Test
  void anotherUsersCreateClaimsTheMemberItMadeButNotOneThatWasThereBefore() {
    assertThat(new EmailClaims(List.of(LEAVING), List.of(create("u2", Set.of()))).on(ADA, "u1"))
        .contains(new EmailClaims.Claim.Creating(ResourceKey.user("u2")));
    assertThat(new EmailClaims(List.of(LEAVING), List.of(create("u2", Set.of("m2")))).on(ADA, "u1")).isEmpty();
  }

  @Test
  void theActiveUserIsNamedBeforeACreate() {
    EmailClaims claims = new EmailClaims(List.of(user("u3", "ada@corp.example", true)), List.of(create("u2", Set.of())));
    assertThat(claims.on(ADA, "u1")).contains(new EmailClaims.Claim.ActiveUser(ResourceKey.user("u3"), "u3-name"));
  }
}
