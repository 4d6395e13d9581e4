package com.fulcrumscim.fulcrum;

import static com.fulcrumscim.fulcrum.ClientFixture.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The reconciler tells calls apart, and labels the failures it makes itself (a removal Fulcrum did
 * not carry out), by {@link FulcrumClient}'s endpoint labels: the client must label its calls
 * with exactly those, or a change of its templates would silently stop a refused read from pausing
 * the reconciler, and give verified-removal failures another call's name.
 */
class EndpointLabelsTest extends MockFulcrumTest {
  private String labelOf(ThrowingCallable call) {
    server.enqueue(status(403));
    return catchThrowableOfType(FulcrumException.Forbidden.class, call).endpoint();
  }

  @Test
  void theClientLabelsItsCallsWithTheInterfacesConstants() {
    assertThat(labelOf(() -> client.tokenOwner())).isEqualTo(FulcrumClient.TOKEN_OWNER);
    assertThat(labelOf(() -> client.roles())).isEqualTo(FulcrumClient.ROLES_LIST);
    assertThat(labelOf(() -> client.members())).isEqualTo(FulcrumClient.MEMBERS_LIST);
    assertThat(labelOf(() -> client.updateMember("m-1", new MemberFields(null, null, null, "r-1"))))
        .isEqualTo(FulcrumClient.MEMBER_UPDATE);
    assertThat(labelOf(() -> client.deleteMember("m-1", null))).isEqualTo(FulcrumClient.MEMBER_DELETE);
    assertThat(labelOf(() -> client.deleteGroup("g-1"))).isEqualTo(FulcrumClient.GROUP_DELETE);
    assertThat(labelOf(() -> client.changeGroupMembers("g-1", List.of("m-1"), List.of())))
        .isEqualTo(FulcrumClient.GROUP_MEMBER_CHANGE);
  }
}
