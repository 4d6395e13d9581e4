package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Fulcrum that answers a group member change 200 with the group as it was (it reads another root
 * key than the one sent): the change is not recorded as done. It fails with what Fulcrum's answer
 * shows and is retried within the retry budget, so a person Okta took out of the group does not
 * keep it silently until the nightly resync.
 */
class MemberChangeNotAppliedTest extends EndToEnd {
  static final String CHANGE = "POST /api/v2/groups/change_permissions.json";

  @Test
  void aRemovalFulcrumAnswersButDoesNotMakeIsRetriedWithTheReasonNotDone() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    String bob = h.okta.user("bob@corp.example", "Bob", "Builder", null);
    String crew = h.okta.group("Crew", List.of(ada, bob));
    h.settle();
    String bobs = inFulcrum("bob@corp.example").id();
    String group = new LinkStore(h.db).get(EntityType.GROUP, crew).orElseThrow().fulcrumId();
    h.fulcrum.memberChangesIgnored(true);
    long changesBefore = calls(CHANGE);

    h.okta.setGroup(crew, "Crew", List.of(ada));
    h.runOnce();
    assertThat(h.row(ResourceKey.group(crew)).state()).isEqualTo(WorkState.RETRYING);
    assertThat(h.row(ResourceKey.group(crew)).lastError())
        .contains("Fulcrum accepted the member change (200) but still lists " + bobs + " (removed)");
    assertThat(calls(CHANGE) - changesBefore).isEqualTo(1);

    h.fulcrum.memberChangesIgnored(false);
    h.settle();
    assertThat(h.row(ResourceKey.group(crew)).state()).isEqualTo(WorkState.DONE);
    assertThat(h.fulcrum.group(group).orElseThrow().memberIds()).containsExactly(inFulcrum("ada@corp.example").id());
  }
}
