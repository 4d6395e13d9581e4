package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumRole;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.testing.ReconcileHarness;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the end-to-end reconciler tests: a harness per test, and after each test the check that
 * every unmanaged member and group seeded in the emulator is byte-identical to how it started.
 */
abstract class EndToEnd {
  static final List<String> UNMANAGED = List.of("m-taken", "m-bystander", "g-crew");

  @TempDir Path dir;
  ReconcileHarness h;
  private String unmanagedBefore;
  /** Ids a test legitimately changes (an adopted member). */
  final List<String> changedOnPurpose = new ArrayList<>();

  ReconcileHarness start(ReconcileHarness.Options options) {
    h = new ReconcileHarness(dir, options, store());
    unmanagedBefore = snapshot();
    return h;
  }

  /** The store every harness of this suite runs on; ...OnPostgresTest subclasses give a PostgreSQL one. */
  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  ReconcileHarness start() {
    return start(ReconcileHarness.Options.defaults());
  }

  private String snapshot() {
    List<String> ids = new ArrayList<>(UNMANAGED);
    ids.add(h.fulcrum.ownerMembershipId());
    ids.removeAll(changedOnPurpose);
    return h.fulcrum.snapshotJson(ids);
  }

  @AfterEach
  void unmanagedEntitiesAreUntouched() {
    if (h == null) {
      return;
    }
    try {
      if (changedOnPurpose.isEmpty()) {
        assertThat(snapshot()).as("unmanaged members and groups").isEqualTo(unmanagedBefore);
      }
    } finally {
      h.close();
    }
  }

  /** SCIM ids of users Ada and Bob and of their Okta group Crew. */
  record Crew(String ada, String bob, String crew) {}

  /** Ada and Bob in Okta group Crew, pushed. */
  Crew adaAndBobInCrew() {
    start();
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    String bob = h.okta.user("bob@corp.example", "Bob", "Builder", null);
    String crew = h.okta.group("Crew", List.of(ada, bob));
    h.settle();
    return new Crew(ada, bob, crew);
  }

  /** Okta takes Bob out of Crew. */
  void bobLeaves(Crew c) {
    h.okta.setGroup(c.crew(), "Crew", List.of(c.ada()));
  }

  FulcrumMember inFulcrum(String email) {
    return h.fulcrum.memberByEmail(email).orElseThrow(() -> new AssertionError("no member " + email + " in Fulcrum"));
  }

  String roleId(String name) {
    return h.fulcrum.roles().stream().filter(r -> r.name().equals(name)).map(FulcrumRole::id).findFirst().orElseThrow();
  }

  /** A person sets a role in Fulcrum's UI (through the API, as the UI does). */
  void setRoleByHand(String email, String role) {
    h.http.updateMember(inFulcrum(email).id(), new MemberFields(null, null, null, roleId(role)));
  }

  long calls(String endpoint) {
    return h.fulcrum.calls().count(endpoint);
  }

  /** The one group of that name in Fulcrum. */
  FulcrumGroup groupNamed(String name) {
    List<FulcrumGroup> found = h.fulcrum.groups().stream().filter(g -> g.name().equals(name)).toList();
    assertThat(found).as("groups named " + name).hasSize(1);
    return found.get(0);
  }

  long membersIn(String email) {
    return h.fulcrum.members().stream().filter(m -> m.email().equalsIgnoreCase(email)).count();
  }
}
