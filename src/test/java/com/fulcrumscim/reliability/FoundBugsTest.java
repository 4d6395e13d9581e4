package com.fulcrumscim.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.testing.ReconcileHarness;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One spec for each product bug the reliability suites found, so it stays found. */
class FoundBugsTest {
  @TempDir Path dir;

  @Test
  void aBodyWithAnythingAfterItsJsonValueIs400AndStoresNothing() {
    try (ScimTestServer server = ScimTestServer.start(dir)) {
      ScimHttp http = server.http();
      ScimHttp.Response r = http.post("/Users", Bodies.user("trailing@corp.example").strip() + "}");
      assertThat(r.status()).as(r.text()).isEqualTo(400);
      assertThat(r.json().path("scimType").asText()).isEqualTo("invalidSyntax");
      assertThat(http.get("/Users").json().path("totalResults").asInt()).isZero();
    }
  }

  @Test
  void deactivatingTheUserWithTheOwnersEmailTakesTheOwnerOutOfItsManagedGroups() {
    try (ReconcileHarness h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults())) {
      String namesake = h.okta.user("owner@fulcrum.example", "Token", "Owner", null);
      String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
      String group = h.okta.group("Surveyors", List.of(namesake, ada));
      h.settle();
      String adaMember = h.fulcrum.memberByEmail("ada@corp.example").orElseThrow().id();
      assertThat(surveyors(h).memberIds()).containsExactlyInAnyOrder(h.fulcrum.ownerMembershipId(), adaMember);

      h.okta.set(namesake, "active", 0);
      h.settle();
      assertThat(surveyors(h).memberIds()).as("group %s after its owner-named user was deactivated", group)
          .containsExactly(adaMember);
    }
  }

  private static FulcrumGroup surveyors(ReconcileHarness h) {
    return h.fulcrum.groups().stream().filter(g -> g.name().equals("Surveyors")).findFirst().orElseThrow();
  }
}
