package com.fulcrumscim.resync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.control.ReportText;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.testing.ReconcileHarness;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nightly resync queues the keys it finds drifting, but a row waiting for an operator stays
 * with the operator, and a failing one keeps its retry budget: resync is not an operator.
 */
class ResyncLeavesOperatorRowsTest {
  @TempDir Path dir;
  ReconcileHarness h;
  ReconcileWiring path;

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void aHeldRemovalWaitsForAnOperatorWhenTheNightlyResyncRunsAfterTheGuardsWindow() {
    String b = secondRemovalHeld();

    h.clock.tick(Duration.ofHours(8));
    path = h.newWiring(h.http);
    ResyncReport report = resync().apply(path, Progress.NONE, 0);
    path.loop().close();

    assertThat(report.plan()).filteredOn(d -> d.key().equals(ResourceKey.user(b).toString())).singleElement()
        .satisfies(d -> {
          assertThat(d.kind()).isEqualTo(Drift.Kind.BLOCKED);
          assertThat(d.action()).contains("fulcrum-scim approve-removals");
        });
    assertThat(h.row(ResourceKey.user(b)).state()).isEqualTo(WorkState.HELD);
    assertThat(h.fulcrum.memberByEmail("b@corp.example")).as("held until `approve-removals`").isPresent();
  }

  @Test
  void theDryRunsSummaryCountsAHeldRemovalApartFromThePeopleKeepingAccess() {
    secondRemovalHeld();

    ResyncReport plan = resync().dryRun(Progress.NONE);

    assertThat(plan.totals().heldRemovals()).isEqualTo(1);
    assertThat(plan.totals().keepsAccess()).as("the page is for people no approval can help").isZero();
    assertThat(ReportText.plan(plan)).contains("1 blocked, 0 colliding with unmanaged members (reported, never touched); 1"
        + " removal HELD by the mass-removal guard, whose people keep access until `fulcrum-scim approve-removals`.");
  }

  @Test
  void aHeldRoleTakeBackIsShownInTheDryRunAsTheOperatorsWithTheCommandThatApprovesIt() {
    h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults().withGuard(0, 1));
    String a = h.okta.user("a@corp.example", "A", "Example", "Manager");
    String b = h.okta.user("b@corp.example", "B", "Example", "Manager");
    h.settle();
    h.okta.replaceUser(a, "a@corp.example", "A", "Example", null);
    h.okta.replaceUser(b, "b@corp.example", "B", "Example", null);
    h.settle();
    assertThat(h.row(ResourceKey.user(b)).state()).isEqualTo(WorkState.HELD);

    ResyncReport plan = resync().dryRun(Progress.NONE);

    assertThat(plan.plan()).filteredOn(d -> d.key().equals(ResourceKey.user(b).toString())).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo(Drift.Kind.BLOCKED);
      assertThat(d.field()).isEqualTo("role");
      assertThat(d.action()).isEqualTo("take back: Okta names no role now, and the bridge gave this one once an operator"
          + " approves it: its role take-back is HELD by the mass-removal guard (`fulcrum-scim approve-removals`)");
    });
    assertThat(plan.totals().toFix()).isZero();
    assertThat(plan.totals().heldRemovals()).as("a take-back takes no access away").isZero();
  }

  @Test
  void aChangeFailingEveryNightStillGoesDeadAtTheEndOfItsBudget() {
    String x = renamedOnceThrough(ResyncLeavesOperatorRowsTest::failingUpdates);
    assertThat(h.row(ResourceKey.user(x)).state()).isEqualTo(WorkState.RETRYING);

    for (int night = 0; night < 2; night++) {
      for (int quarter = 0; quarter < 24 * 4; quarter++) {
        h.clock.tick(Duration.ofMinutes(15));
        if (quarter == 12) {
          resync().apply(path, Progress.NONE, 0);
        }
        path.loop().runOnce();
      }
    }
    path.loop().close();

    assertThat(h.row(ResourceKey.user(x)).state()).as("retry budget 24h, two nightly resyncs").isEqualTo(WorkState.DEAD);
  }

  @Test
  void theDriftOfADeadChangeIsReportedAsTheOperatorsWithTheCommandThatRetriesIt() {
    String x = renamedOnceThrough(ResyncLeavesOperatorRowsTest::refusingUpdates);
    path.loop().close();
    assertThat(h.row(ResourceKey.user(x)).state()).isEqualTo(WorkState.DEAD);

    ResyncReport plan = resync().dryRun(Progress.NONE);

    assertThat(plan.plan()).filteredOn(d -> d.field().equals("first_name")).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo(Drift.Kind.BLOCKED);
      assertThat(d.action()).contains("fulcrum-scim journal retry user/" + x);
    });
    assertThat(plan.totals().toFix()).isZero();
  }

  /** a and b pushed, then deactivated one after the other: the guard (at most one) holds b's removal. Returns b. */
  private String secondRemovalHeld() {
    h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults().withGuard(0, 1));
    String a = h.okta.user("a@corp.example", "A", "Example", null);
    String b = h.okta.user("b@corp.example", "B", "Example", null);
    h.settle();
    h.okta.set(a, "active", 0);
    h.settle();
    h.okta.set(b, "active", 0);
    h.settle();
    assertThat(h.row(ResourceKey.user(b)).state()).isEqualTo(WorkState.HELD);
    return b;
  }

  /** x@corp.example pushed and settled, then renamed by Okta: one cycle through {@code fulcrum} meets the update. */
  private String renamedOnceThrough(UnaryOperator<FulcrumClient> fulcrum) {
    h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults());
    String x = h.okta.user("x@corp.example", "X", "Example", null);
    h.settle();
    path = h.newWiring(fulcrum.apply(h.http));
    h.okta.set(x, "given_name", "Xena");
    path.loop().runOnce();
    return x;
  }

  private Resync resync() {
    return new Resync(h.http, h.db, ReconcileHarness.Options.defaults().settings(), h.clock, h.clock::tick);
  }

  private static FulcrumClient refusingUpdates(FulcrumClient real) {
    return replacingUpdates(real, new FulcrumException.Forbidden("PUT /api/v2/memberships/{id}.json", 403, "not allowed"));
  }

  private static FulcrumClient failingUpdates(FulcrumClient real) {
    return replacingUpdates(real, new FulcrumException.Unavailable("PUT /api/v2/memberships/{id}.json", "500", null));
  }

  private static FulcrumClient replacingUpdates(FulcrumClient real, FulcrumException thrown) {
    return (FulcrumClient) Proxy.newProxyInstance(FulcrumClient.class.getClassLoader(), new Class<?>[] {FulcrumClient.class},
        (proxy, m, args) -> {
          if (m.getName().equals("updateMember")) {
            throw thrown;
          }
          try {
            return m.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
